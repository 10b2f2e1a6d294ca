#!/usr/bin/env bash
# A whole Tessera session on this machine: a relay, an agent (the person
# being helped) and the technician's window (tessera-viewer).
#
# On a desktop ($DISPLAY reachable), the person's screen is a nested X
# server (Xephyr) with a terminal in it: answer the agent's consent prompt
# there, then drive that terminal from the technician's window, which opens
# on your desktop. Close that window or press Stop to end; Ctrl-C here
# stops everything.
#
# Without a display, both screens run under Xvfb and this script plays both
# people with xdotool: the person allows, the technician types a command
# into the person's terminal; it saves a screenshot of each screen, says
# where, ends the session and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
true
bin=${CARGO_TARGET_DIR:-$PWD/target}/debug
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-demo.XXXXXX")
port=${TESSERA_PORT:-7700}
asking='Tessera: (Remote assistance request|Demande d.assistance)'

# Everything started here is stopped on exit, the last started first, and
# waited for (so the relay's port is free again when this returns).
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() {
  echo "demo: $*" >&2
  echo "demo: logs in $work" >&2
  exit 1
}

# wait_for WHAT COMMAND...: retries COMMAND every 0.1 s until it succeeds,
# and gives up after 60 s.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 600); do
    "$@" 2>/dev/null && return
    sleep 0.1
  done
  die "$what did not happen within 60 s"
}

# event NAME: whether the agent has printed JSON event NAME yet.
event() { grep -q "\"event\":\"$1\"" "$work/agent.json"; }

# start_x VAR PROGRAM ARGS...: starts an X server on a free display and sets
# VAR to its name (":N"); -displayfd writes the number once it accepts
# clients, so that line is the event to wait for.
start_x() {
  local -n display=$1
  local number fifo=$work/$1.display
  shift
  mkfifo "$fifo"
  "$@" -displayfd 3 -nolisten tcp 3>"$fifo" 2>>"$work/x.log" &
  pids+=($!)
  read -r -t 60 number <"$fifo" || die "$1 did not start (see $work/x.log)"
  display=":$number"
}

# find_window DISPLAY WHAT SEARCH...: waits until a window matching SEARCH
# (xdotool search arguments) is visible on DISPLAY; prints its id.
find_window() {
  local display=$1 what=$2
  shift 2
  DISPLAY=$display timeout 60 xdotool search --sync --onlyvisible "$@" | head -1 | grep . ||
    die "no $what appeared on $display within 60 s"
}

# start_person DISPLAY GEOMETRY XTERM-ARGS...: the person's side on DISPLAY:
# a terminal at the left, below where the agent's session bar goes (the
# top centre), and the agent, whose window starts at the bottom right so
# the terminal stays in view. The agent runs without a terminal, as when
# started from a desktop's menu: it speaks only in its window. Sets xterm,
# agent_pid, code.
start_person() {
  local display=$1 geometry=$2
  shift 2
  DISPLAY=$display xterm -geometry "$geometry" "$@" &
  pids+=($!)
  xterm=$(find_window "$display" "terminal" --class xterm)
  DISPLAY=$display setsid "$bin/tessera-agent" "${relay[@]}" --ui gui --screen x11 --display "$display" \
    --events json >"$work/agent.json" 2>"$work/agent.log" &
  agent_pid=$!
  pids+=($agent_pid)
  wait_for "the agent's code" event code
  code=$(grep -o '"code":"[0-9 ]*"' "$work/agent.json" | head -1 | cut -d'"' -f4)
  local window
  window=$(find_window "$display" "agent's window" --class tessera-agent)
  eval "$(DISPLAY=$display xdotool getdisplaygeometry --shell)"   # WIDTH, HEIGHT
  local screen_width=$WIDTH screen_height=$HEIGHT
  eval "$(DISPLAY=$display xdotool getwindowgeometry --shell "$window")"
  DISPLAY=$display xdotool windowmove --sync "$window" $((screen_width - WIDTH)) $((screen_height - HEIGHT))
}

# start_viewer DISPLAY: the technician's window on DISPLAY, straight into
# the session with the person's code. It remembers its settings in a
# folder of its own: the demo's relay is not one to keep.
start_viewer() {
  DISPLAY=$1 XDG_CONFIG_HOME=$work/config "$bin/tessera-viewer" connect "$code" "${relay[@]}" \
    --name "${USER:-Technician}" --request view,control,chat --events json ${VIEWER_EXTRA:-} \
    >"$work/viewer.json" 2>"$work/viewer.log" &
  viewer_pid=$!
  pids+=($viewer_pid)
}

"$bin/tessera-relay" --listen "127.0.0.1:$port" --data-dir "$work/relay" >"$work/relay.out" 2>"$work/relay.log" &
relay_pid=$!
pids+=($relay_pid)
until [ -s "$work/relay.out" ]; do
  kill -0 $relay_pid 2>/dev/null || { cat "$work/relay.log" >&2; exit 1; }
  sleep 0.1
done
fp=$(awk '{print $NF; exit}' "$work/relay.out")
relay=(--relay "127.0.0.1:$port" --relay-fingerprint "$fp")
head -1 "$work/relay.out"

if [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then
  # A desktop: the person's screen is a window on it (Xephyr), the
  # technician's window opens beside it.
  start_x person Xephyr -screen 1280x800 -no-host-grab -title "Tessera demo: the person's screen"
  xephyr_pid=${pids[-1]}
  start_person "$person" 80x24+0+130
  start_viewer "$DISPLAY"
  # Side by side as far as the desktop allows: the technician's window at
  # the left, the person's screen at the right (its right part, where the
  # agent's window is, stays in view).
  person_window=$(find_window "$DISPLAY" "person's screen" --name "Tessera demo: the person")
  viewer_window=$(find_window "$DISPLAY" "technician's window" --pid "$viewer_pid")
  eval "$(xdotool getdisplaygeometry --shell)"   # WIDTH, HEIGHT
  xdotool windowmove "$person_window" $((WIDTH > 1280 ? WIDTH - 1280 : 0)) 0 windowmove "$viewer_window" 0 0
  cat <<EOF

The person's screen is the window "Tessera demo: the person's screen" (code $code).
1. There, the agent asks whether ${USER:-Technician} may view, control and chat:
   click "Allow what is ticked" (it works 1 s after the question shows).
2. In the technician's window (Tessera), put the pointer over the picture
   and type: it goes to the terminal on the person's screen.
To end: close the technician's window, or press "Stop the session" on the
person's screen (all closes 10 s later). Ctrl-C here stops everything.
EOF
  wait -n "$viewer_pid" "$agent_pid" "$xephyr_pid" || true
  echo "Ended; logs in $work"
  exit 0
fi

# No display: two Xvfb screens, the person's and the technician's.
start_x person Xvfb -screen 0 1024x768x24
start_x technician Xvfb -screen 0 1600x1000x24
# The terminal logs what it shows: the witness that typed text arrived.
start_person "$person" 60x20+0+130 -l -lf "$work/xterm.log"
start_viewer "$technician"
echo "Person on $person, technician on $technician; code $code."

# The person: the prompt shows (its title once Allow works); Deny has the
# focus, Tab moves it to Allow, Return allows. There is no window manager,
# so xdotool gives windows the keyboard as a click would.
prompt=$(find_window "$person" "consent prompt" --name "$asking")
DISPLAY=$person xdotool windowfocus --sync "$prompt" key --delay 100 Tab Return
wait_for "the session's start" event session_started
DISPLAY=$person xdotool windowfocus --sync "$xterm"
echo "The person allowed: the session runs."

# The technician: the keyboard to their window, the pointer over the view
# (nudged until the person's pointer follows: then the window sends what
# is typed).
window=$(find_window "$technician" "technician window" --class tessera-viewer)
eval "$(DISPLAY=$technician xdotool getwindowgeometry --shell "$window")"   # WIDTH, HEIGHT
DISPLAY=$technician xdotool windowfocus --sync "$window"
before=$(DISPLAY=$person xdotool getmouselocation)
nudges=0
followed() {
  nudges=$((nudges + 1))
  DISPLAY=$technician xdotool mousemove --sync --window "$window" $((WIDTH / 4 + nudges % 2)) $((HEIGHT / 4))
  [ "$(DISPLAY=$person xdotool getmouselocation)" != "$before" ]
}
wait_for "the technician's pointer on the person's screen" followed
DISPLAY=$technician xdotool type --delay 50 "echo hello from the technician"
DISPLAY=$technician xdotool key Return
# The output starts a line (after the shell's own control sequences,
# which end in a carriage return); the typed command does not.
wait_for "the command's output in the person's terminal" \
  grep -qE $'(^|\r)hello from the technician' "$work/xterm.log"
echo "The technician's command ran in the person's terminal."

# The screenshots wait until the window has the person's screen as it is
# now: a picture captured after the terminal last changed (frames carry
# the agent's clock in microseconds; both run on this machine).
caught_up() {
  local changed captured
  changed=$(stat -c %.6Y "$work/xterm.log")
  captured=$(grep -o '"captured_at_us":[0-9]*' "$work/viewer.json" | tail -1 | cut -d: -f2)
  [ -n "$captured" ] && [ "$captured" -ge "${changed/./}" ]
}
wait_for "the technician's window showing the output" caught_up
shots=$work/screenshots
mkdir -p "$shots"
DISPLAY=$person import -window root "$shots/person.png"
DISPLAY=$technician import -window root "$shots/technician.png"
echo "Screenshots: $shots/person.png, $shots/technician.png"

echo "HOLD $work $technician $person $window"; touch /tmp/demo-hold; while [ -e /tmp/demo-hold ]; do sleep 1; done
kill -INT "$viewer_pid"
wait_for "the session's end" event session_ended
echo "Session ended."
