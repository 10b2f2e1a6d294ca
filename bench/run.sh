#!/usr/bin/env bash
# Whole-system benchmarks (release build). Figures go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
# x11vnc and TigerVNC's viewer are only for the comparisons, not for the
# tests; ffmpeg plays the videos.
if ! command -v x11vnc >/dev/null || ! command -v xtigervncviewer >/dev/null || ! command -v ffplay >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y x11vnc tigervnc-viewer ffmpeg
fi
cargo build --release --workspace --bins --locked
ulimit -n 65536 2>/dev/null || true
target/release/session_setup "${RUNS:-50}"
target/release/throughput "${MIB:-200}"
# A file through the real relay into the receive folder, against the bare
# inner connection; CPU per GiB on each end.
target/release/file_throughput "${FILE_MIB:-1024}"
target/release/relay_memory "${AGENTS:-10000}" "${PAIRS:-1000}"
target/release/screen_vs_vnc
# Motion: a video window, a full-screen video and a drag against x11vnc;
# the paused picture's PSNR; keystrokes while the video plays, on
# loopback and behind a home link.
target/release/video_vs_vnc "${VIDEO_SECS:-20}"
# The agent's and viewer's debug timings split the latency into its parts.
RUST_LOG=tessera_agent=debug,tessera_viewer=debug target/release/glass_to_glass "${SAMPLES:-200}"
# Take back (the window) to the next input refused.
target/release/revoke_latency "${REVOKES:-30}"
# The person's machine while a session idles with the agent's window showing.
target/release/agent_idle "${IDLE_SECS:-30}"
echo "== recording cost (the session record's share of the agent's CPU)"
RUST_LOG=tessera_agent=debug target/release/recording_cost "${RECORD_SECS:-600}"
# The technician's window on its own display: keystroke to pixels there
# against x11vnc + xtigervncviewer, and its CPU idle and with a video.
target/release/window_keystroke "${SAMPLES:-200}"
target/release/window_cpu "${PHASE_SECS:-30}"
