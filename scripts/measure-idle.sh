#!/bin/bash
# Idle CPU of vnav --demo with N VMs per endpoint listed by :vm (2N nodes), over 60 s.
# Needs tmux and a release build (cargo build --release). The demo runs its simulator in the
# same process, so the CPU and RSS it reports include the simulator serving the demo.
N=${1:-150000}
BIN=${BIN:-$(dirname "$0")/../target/release/vnav}
tmux kill-session -t idle 2>/dev/null
tmux new -d -s idle -x 160 -y 45 "$BIN --demo --demo-vms $N"
sleep 8
tmux send-keys -t idle ':vm' Enter
for i in $(seq 1 120); do
  if tmux capture-pane -p -t idle | grep -q "VMs ($(printf "%'d" $((2*N))))"; then break; fi
  sleep 1
done
tmux capture-pane -p -t idle | head -1
PID=$(pgrep -f "^$BIN --demo" | head -1)
sleep 5
RSS=$(grep VmRSS /proc/$PID/status)
read -r a b <<<"$(awk '{print $14, $15}' /proc/$PID/stat)"
T0=$(date +%s.%N)
sleep 60
read -r c d <<<"$(awk '{print $14, $15}' /proc/$PID/stat)"
T1=$(date +%s.%N)
HZ=$(getconf CLK_TCK)
echo "pid $PID $RSS; cpu ticks $(( (c+d)-(a+b) )) over $(echo "$T1-$T0"|bc) s at $HZ Hz = $(echo "scale=3; 100*((($c+$d)-($a+$b))/$HZ)/($T1-$T0)" | bc) %"
tmux kill-session -t idle
