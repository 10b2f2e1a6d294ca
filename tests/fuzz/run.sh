#!/usr/bin/env bash
# Builds every fuzz target and runs each for a short while (default 20 s).
# Stable Rust plays nightly for cargo-fuzz through RUSTC_BOOTSTRAP.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
for target in $(cargo fuzz list); do
  echo "== fuzz $target"
  cargo fuzz run -O "$target" -- -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048
done
