#!/usr/bin/env bash
# Resident memory of the real vnav binary with N VMs loaded (default 100000): starts
# `vnav sim --vms N`, runs vnav against it in a private tmux server, expands "All VMs", waits
# until every VM is in the tree, then reads VmRSS from /proc. Prints `RSS <kB> kB for <nodes>`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
BIN=${VNAV_BIN:-target/release/vnav}
[ -x "$BIN" ] || cargo build --release
tmp=$(mktemp -d)
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null || true; kill "$SIM" 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$BIN" sim --vms "$N" > "$tmp/sim.out" &
SIM=$!
for _ in $(seq 100); do grep -q '^credentials' "$tmp/sim.out" && break; sleep 0.1; done
URL=$(awk '/^vcd /{print $2}' "$tmp/sim.out")

tmux -S "$tmp/sock" new-session -d -s m -x 200 -y 60 \
  env VNAV_PASSWORD=vnav-demo HOME="$tmp" XDG_STATE_HOME="$tmp" TERM=xterm-256color \
  "$BIN" --url "$URL" --user admin@System
screen() { tmux -S "$tmp/sock" capture-pane -p -t m; }
for _ in $(seq 100); do screen | grep -q 'All VMs' && break; sleep 0.1; done
tmux -S "$tmp/sock" send-keys -t m j Enter
start=$(date +%s.%N)
nodes=0
for _ in $(seq 1200); do
  nodes=$(screen | grep -o '[0-9]* nodes' | head -1 | cut -d' ' -f1)
  [ "${nodes:-0}" -ge "$N" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
PID=$(tmux -S "$tmp/sock" display -p -t m '#{pane_pid}')
rss=$(awk '/VmRSS/{print $2}' "/proc/$PID/status")
echo "RSS $rss kB for $nodes nodes ($(( rss * 1024 / (nodes > 0 ? nodes : 1) )) bytes/node), loaded in $(echo "$end - $start" | bc) s"
