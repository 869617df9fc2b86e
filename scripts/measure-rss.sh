#!/usr/bin/env bash
# Resident memory of the real vnav binary with N VMs loaded (default 100000), from one product
# of `vnav sim --vms N`: vcd (default) expands "All VMs"; vrops opens the vCenter adapter
# instance and its VirtualMachine kind. Runs vnav in a private tmux server, waits until the
# status bar counts N nodes, then reads VmRSS from /proc.
# multi: one vnav on four endpoints, a vCD of N VMs and two vCenters of N VMs each, every VM
# loaded by `:vm`, and the Aria Operations watching them, connected (its top level read, its N
# VM resources not expanded: with it connected, `:vm` gives every VM row a health dot, read in
# bulk through its index of VMs). The simulator runs one vCenter per instance, so two instances
# run: the vCD, vCenter and Aria Operations of the first (the same N VMs seen through each) and
# the vCenter of the second.
# Prints `RSS <kB> kB for <nodes> nodes (<bytes>/node), loaded in <s> s`, the RSS just
# before the listing started (the tree and client without it), so the difference is the
# listing's own cost, and the RSS once settled (unchanged for 3 s, 5 to 60 s later), with
# the peak (VmHWM): at the last node and at the end, with the highest RSS sampled while the
# listing ran (sampled every 0.1 s: a peak between samples shows only in VmHWM). With multi
# it then stops the simulators with SIGINT, which makes them print the requests they saw:
# Aria Operations' VM list pages, health and alert calls. _RJEM_MALLOC_CONF, when set, is passed to
# vnav: it overrides the allocator's settings (see src/main.rs), e.g. `dirty_decay_ms:10000`.
#   scripts/measure-rss.sh 100000          # vCD
#   scripts/measure-rss.sh 100000 vrops    # Aria Operations
#   scripts/measure-rss.sh 100000 multi    # vCD + two vCenters, 3 × N VMs, + Aria Operations
#   scripts/measure-rss.sh 100000 multi3   # the same without Aria Operations (as measured before it)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PRODUCT=${2:-vcd}
BIN=${VNAV_BIN:-target/release/vnav}
# The simulators' binary: a vnav built without the simulator (VNAV_BIN) still needs one.
SIM_BIN=${VNAV_SIM_BIN:-$BIN}
[ -x "$BIN" ] || cargo build --release
tmp=$(mktemp -d)
SIMS=()
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null || true; kill "${SIMS[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# Starts a simulator of N VMs writing its URLs to $1.
start_sim() {
  "$SIM_BIN" sim --vms "$N" > "$1" &
  SIMS+=($!)
  for _ in $(seq 300); do grep -q "^credentials vro" "$1" && break; sleep 0.1; done
}
url_of() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
start_sim "$tmp/sim.out"
WANT=$N
case $PRODUCT in
  vcd) ARGS=(--url "$(url_of "$tmp/sim.out" vcd)" --user admin@System) ;;
  vrops) ARGS=(--url "$(url_of "$tmp/sim.out" vrops)" --user admin --product vrops) ;;
  multi | multi3)
    start_sim "$tmp/sim2.out"
    WANT=$((3 * N))
    cat > "$tmp/config.toml" <<EOF
[[context]]
name = "vcd"
product = "vcd"
url = "$(url_of "$tmp/sim.out" vcd)"
user = "admin@System"
[[context]]
name = "vc-a"
product = "vcenter"
url = "$(url_of "$tmp/sim.out" vcenter)"
user = "administrator@vsphere.local"
[[context]]
name = "vc-b"
product = "vcenter"
url = "$(url_of "$tmp/sim2.out" vcenter)"
user = "administrator@vsphere.local"
EOF
    [ "$PRODUCT" = multi ] && cat >> "$tmp/config.toml" <<EOF
[[context]]
name = "ops"
product = "vrops"
url = "$(url_of "$tmp/sim.out" vrops)"
user = "admin"
EOF
    ARGS=(--config "$tmp/config.toml") ;;
  *) echo "product: vcd, vrops, multi or multi3" >&2; exit 2 ;;
esac

tmux -S "$tmp/sock" new-session -d -s m -x 200 -y 60 \
  env VNAV_PASSWORD=vnav-demo HOME="$tmp" XDG_STATE_HOME="$tmp" TERM=xterm-256color \
  ${_RJEM_MALLOC_CONF:+_RJEM_MALLOC_CONF=$_RJEM_MALLOC_CONF} \
  "$BIN" "${ARGS[@]}"
screen() { tmux -S "$tmp/sock" capture-pane -p -t m; }
status_kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$(tmux -S "$tmp/sock" display -p -t m '#{pane_pid}')/status"; }
rss_now() { status_kb VmRSS; }
# vnav's CPU time (user + system) in seconds and its minor page faults so far, from
# /proc/PID/stat (fields 14, 15 and 10; its name has no spaces).
cpu_now() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f s of CPU, %d minor page faults", ($14 + $15) / t, $10}' \
  "/proc/$(tmux -S "$tmp/sock" display -p -t m '#{pane_pid}')/stat"; }
keys() { tmux -S "$tmp/sock" send-keys -t m "$@"; }
if [ "$PRODUCT" = multi ] || [ "$PRODUCT" = multi3 ]; then
  # Every endpoint connected (each shows its first level, Aria Operations its adapter
  # instances), then every VM of each: `:vm`.
  for _ in $(seq 300); do
    [ "$(screen | grep -c 'All VMs')" -ge 3 ] && { [ "$PRODUCT" = multi3 ] || screen | grep -q 'VMWARE'; } && break
    sleep 0.1
  done
  base=$(rss_now); cpu_base=$(cpu_now)
  keys : v m Enter
elif [ "$PRODUCT" = vcd ]; then
  for _ in $(seq 100); do screen | grep -q 'All VMs' && break; sleep 0.1; done
  base=$(rss_now); cpu_base=$(cpu_now)
  keys j Enter
else
  for _ in $(seq 100); do screen | grep -q 'VMWARE' && break; sleep 0.1; done
  # Endpoint, Alerts, Health, then the vCenter adapter instance: open it, then its VMs.
  keys j j j Enter
  for _ in $(seq 100); do screen | grep -q 'VirtualMachine' && break; sleep 0.1; done
  row=$(screen | grep -n 'VirtualMachine' | head -1 | cut -d: -f1)
  cur=$(screen | grep -n 'VMWARE' | head -1 | cut -d: -f1)
  for _ in $(seq $((row - cur))); do keys j; done
  sleep 0.5
  base=$(rss_now); cpu_base=$(cpu_now)
  keys Enter
fi
start=$(date +%s.%N)
nodes=0
# The highest RSS sampled while the listing ran, and how many nodes there were then: whether
# the peak (VmHWM) comes from the listing or from what follows it.
top=0; top_nodes=0
for _ in $(seq 3000); do
  # The status bar may show a message instead of the count for a moment: no count is 0.
  nodes=$(screen | grep -o '[0-9]* nodes' | head -1 | cut -d' ' -f1 || true)
  now=$(rss_now)
  [ "$now" -gt "$top" ] && { top=$now; top_nodes=${nodes:-0}; }
  [ "${nodes:-0}" -ge "$WANT" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
rss=$(rss_now)
hwm_loaded=$(status_kb VmHWM)
echo "RSS $rss kB for $nodes nodes ($(( rss * 1024 / (nodes > 0 ? nodes : 1) )) bytes/node), loaded in $(echo "$end - $start" | bc) s; peak (VmHWM) so far $hwm_loaded kB"
echo "highest RSS sampled while listing: $top kB, at $top_nodes nodes"
echo "CPU: $cpu_base before the listing (connect), $(cpu_now) once listed"
echo "before the listing: $base kB; the listing added $(( (rss - base) * 1024 / (nodes > 0 ? nodes : 1) )) bytes/node"
# What stays once the last pages are handled and their memory given back (and, with Aria
# Operations, the health dots read): at least 5 s later, once RSS has not moved for 3 s.
prev=0; same=0; waited=0
while [ $waited -lt 5 ] || { [ $same -lt 3 ] && [ $waited -lt 60 ]; }; do
  sleep 1; waited=$((waited + 1))
  settled=$(rss_now)
  if [ "$settled" = "$prev" ]; then same=$((same + 1)); else same=0; fi
  prev=$settled
done
echo "settled ($waited s later): RSS $settled kB ($(( settled * 1024 / (nodes > 0 ? nodes : 1) )) bytes/node); peak (VmHWM) $(status_kb VmHWM) kB"
echo "CPU once settled: $(cpu_now)"
echo "of which heap and stacks (RssAnon) $(status_kb RssAnon) kB, the binary's pages and other files (RssFile) $(status_kb RssFile) kB"
if [ "$PRODUCT" = multi ]; then
  # The requests Aria Operations saw (the health dots'): the simulators print what they
  # served when stopped by SIGINT.
  kill -INT "${SIMS[@]}" 2>/dev/null || true
  wait "${SIMS[@]}" 2>/dev/null || true
  echo "Aria Operations requests seen: $(awk '$1 == "requests" && $2 == "vrops" {print $3}' "$tmp/sim.out")," \
    "of which $(awk '$1 == "seen" && $3 ~ /resources\/query$/ {n += $4} END {print n + 0}' "$tmp/sim.out") VM list pages," \
    "$(awk '$1 == "seen" && $3 ~ /stats\/latest\/query$/ {n += $4} END {print n + 0}' "$tmp/sim.out") health and" \
    "$(awk '$1 == "seen" && $3 ~ /alerts\/query$/ {n += $4} END {print n + 0}' "$tmp/sim.out") alert calls"
fi
