#!/usr/bin/env bash
# Resident memory of the real vnav binary with N VMs loaded (default 100000), from one product
# of `vnav sim --vms N`: vcd (default) expands "All VMs"; vrops opens the vCenter adapter
# instance and its VirtualMachine kind. Runs vnav in a private tmux server, waits until the
# status bar counts N nodes, then reads VmRSS from /proc.
# Prints `RSS <kB> kB for <nodes> nodes (<bytes>/node), loaded in <s> s`.
#   scripts/measure-rss.sh 100000          # vCD
#   scripts/measure-rss.sh 100000 vrops    # Aria Operations
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PRODUCT=${2:-vcd}
BIN=${VNAV_BIN:-target/release/vnav}
[ -x "$BIN" ] || cargo build --release
tmp=$(mktemp -d)
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null || true; kill "$SIM" 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$BIN" sim --vms "$N" > "$tmp/sim.out" &
SIM=$!
for _ in $(seq 100); do grep -q "^credentials $PRODUCT" "$tmp/sim.out" && break; sleep 0.1; done
URL=$(awk -v p="$PRODUCT" '$1 == p {print $2}' "$tmp/sim.out")
case $PRODUCT in
  vcd) LOGIN=(--user admin@System) ;;
  vrops) LOGIN=(--user admin --product vrops) ;;
  *) echo "product: vcd or vrops" >&2; exit 2 ;;
esac

tmux -S "$tmp/sock" new-session -d -s m -x 200 -y 60 \
  env VNAV_PASSWORD=vnav-demo HOME="$tmp" XDG_STATE_HOME="$tmp" TERM=xterm-256color \
  "$BIN" --url "$URL" "${LOGIN[@]}"
screen() { tmux -S "$tmp/sock" capture-pane -p -t m; }
keys() { tmux -S "$tmp/sock" send-keys -t m "$@"; }
if [ "$PRODUCT" = vcd ]; then
  for _ in $(seq 100); do screen | grep -q 'All VMs' && break; sleep 0.1; done
  keys j Enter
else
  for _ in $(seq 100); do screen | grep -q 'VMWARE' && break; sleep 0.1; done
  # Endpoint, Alerts, Health, then the vCenter adapter instance: open it, then its VMs.
  keys j j j Enter
  for _ in $(seq 100); do screen | grep -q 'VirtualMachine' && break; sleep 0.1; done
  row=$(screen | grep -n 'VirtualMachine' | head -1 | cut -d: -f1)
  cur=$(screen | grep -n 'VMWARE' | head -1 | cut -d: -f1)
  for _ in $(seq $((row - cur))); do keys j; done
  keys Enter
fi
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
