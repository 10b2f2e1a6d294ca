#!/usr/bin/env bash
# The full test suite, as CI runs it: formatting, lints, every unit and
# end-to-end test (real relay, agent and viewer on loopback), and a short
# run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh --tests
echo "== format";  cargo fmt --all -- --check
echo "== lints";   cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== build";   cargo build --workspace --bins --locked
echo "== tests";   cargo test --workspace --locked
echo "== fuzz";    FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash tests/fuzz/run.sh
