#!/usr/bin/env bash
# A whole session on this machine: a relay, an agent (the person being
# helped, top pane) and a viewer (the technician, bottom pane) in tmux.
# The prompt appears in the agent's window when there is a display
# ($DISPLAY), otherwise in the top pane. In the top pane: type chat
# lines, /stop to end.
# In the bottom pane: type chat lines; Ctrl-C ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo build --workspace --bins --locked
bin=$PWD/target/debug
work=$(mktemp -d)
port=${TESSERA_PORT:-7700}

"$bin/tessera-relay" --listen "127.0.0.1:$port" --data-dir "$work/relay" >"$work/relay.out" 2>"$work/relay.log" &
relay_pid=$!
trap 'kill $relay_pid 2>/dev/null; tmux kill-session -t tessera 2>/dev/null || true' EXIT
until [ -s "$work/relay.out" ]; do
  kill -0 $relay_pid 2>/dev/null || { cat "$work/relay.log" >&2; exit 1; }
  sleep 0.1
done
fp=$(awk '{print $NF; exit}' "$work/relay.out")
relay=(--relay "127.0.0.1:$port" --relay-fingerprint "$fp")
echo "$(head -1 "$work/relay.out")"

tmux kill-session -t tessera 2>/dev/null || true
tmux new-session -d -s tessera -x 160 -y 48 \
  "$bin/tessera-agent ${relay[*]} --screen synthetic --events json >$work/agent.json; echo; echo 'agent exited; press Enter'; read"
until grep -q '"event":"code"' "$work/agent.json" 2>/dev/null; do sleep 0.1; done
code=$(grep -o '"code":"[0-9 ]*"' "$work/agent.json" | head -1 | cut -d'"' -f4)
# Each typed line becomes a chat command (quotes and backslashes escaped).
tmux split-window -v -t tessera \
  "echo 'Technician: type chat lines here (Ctrl-C to end).'; sed -u -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g' -e 's/.*/{\"cmd\":\"chat\",\"text\":\"&\"}/' | $bin/tessera-viewer connect '$code' ${relay[*]} --name \"\${USER:-Technician}\" --request view,chat --headless; echo 'viewer exited; press Enter'; read"
tmux select-pane -t tessera:0.0
if [ -t 1 ]; then
  tmux attach -t tessera
else
  echo "tmux session 'tessera' is running: attach with 'tmux attach -t tessera'"
  tmux wait-for tessera-never 2>/dev/null || true
fi
