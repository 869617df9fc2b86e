#!/usr/bin/env bash
# Wall time from launching `vnav --demo` to the first painted tree (the demo's orgs on screen),
# measured from outside in a private tmux server, as a user sees it. Prints the median of N runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
BIN=${VNAV_BIN:-target/release/vnav}
[ -x "$BIN" ] || cargo build --release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
times=()
for i in $(seq "$RUNS"); do
  sock="$tmp/sock$i"
  start=$(date +%s%N)
  tmux -S "$sock" new-session -d -s s -x 120 -y 40 \
    env HOME="$tmp" XDG_STATE_HOME="$tmp" TERM=xterm-256color "$BIN" --demo
  until tmux -S "$sock" capture-pane -p -t s 2>/dev/null | grep -q 'acme'; do sleep 0.005; done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  tmux -S "$sock" kill-server
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "startup to first tree (ms, $RUNS runs, sorted): $sorted"
echo "median: $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms"
