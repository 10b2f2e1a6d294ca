#!/usr/bin/env bash
# Builds every fuzz target and runs each for a short while (FUZZ_SECONDS,
# default 20 s; tests/run.sh, and so CI, gives 10 s).
#
# A target with committed seeds (corpus/<target>/, written by
# `cargo run --example write_seeds`, see README.md) starts from them. The
# seeds are passed read-only after a scratch directory: libFuzzer writes
# the inputs it finds into the first corpus directory only, so a run never
# adds files to the repository. Set FUZZ_WORK to keep the scratch corpora
# (and grow them over several runs); crashes go to artifacts/<target>/.
#
# Stable Rust plays nightly for cargo-fuzz through RUSTC_BOOTSTRAP.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
if [ -n "${FUZZ_WORK:-}" ]; then
  work="$FUZZ_WORK"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
for target in $(cargo fuzz list); do
  echo "== fuzz $target"
  corpora=("$work/$target")
  mkdir -p "${corpora[0]}"
  if [ -d "corpus/$target" ]; then
    corpora+=("corpus/$target")
  fi
  cargo fuzz run -O "$target" "${corpora[@]}" -- \
    -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048
done
