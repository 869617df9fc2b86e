#!/usr/bin/env bash
# Wall time from launching `vnav --demo` to the first painted tree (the demo's orgs on screen),
# measured from outside in a private tmux server, as a user sees it. Prints the median of N runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10}
BIN=${VNAV_BIN:-target/release/vnav}
[ -x "$BIN" ] || cargo build --release
tmp=$(mktemp -d)
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
times=()
for _ in $(seq "$RUNS"); do
  start=$(date +%s%N)
  tmux -S "$tmp/sock" new-session -d -s s -x 120 -y 40 \
    env HOME="$tmp" XDG_STATE_HOME="$tmp" TERM=xterm-256color "$BIN" --demo
  until tmux -S "$tmp/sock" capture-pane -p -t s 2>/dev/null | grep -q 'acme'; do sleep 0.005; done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  tmux -S "$tmp/sock" kill-server
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "startup to first tree (ms, $RUNS runs, sorted): $sorted"
echo "median: $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms"
