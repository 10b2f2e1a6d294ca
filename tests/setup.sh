#!/usr/bin/env bash
# Installs what building and testing Tessera needs on Debian/Ubuntu, only
# what is missing. Safe to run again.
set -euo pipefail

packages=(ca-certificates pkg-config gcc g++ make libxkbcommon-dev libvpx-dev
          xvfb xserver-xephyr xterm xdotool imagemagick x11-utils x11-xserver-utils
          x11-xkb-utils xinput less libgl1-mesa-dri libegl1 libxkbcommon-x11-0 openbox)
# The test suite also opens the HTML session report in a real browser,
# copies and pastes on the person's display with xclip, and plays video
# with ffplay.
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium xclip ffmpeg)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), Rust 1.95 or newer, then run this again." >&2
  exit 1
fi
for component in rustfmt clippy; do
  cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$component"
done
