#!/usr/bin/env bash
# Whole-system benchmarks (release build). Figures go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
cargo build --release --workspace --bins --locked
ulimit -n 65536 2>/dev/null || true
target/release/session_setup "${RUNS:-50}"
target/release/throughput "${MIB:-200}"
target/release/relay_memory "${AGENTS:-10000}" "${PAIRS:-1000}"
