#!/usr/bin/env bash
# Runs every benchmark in one go and prints the ratio table (Markdown).
# Usage: benches/run.sh [--quick]   (--quick: shorter criterion runs)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
extra="$target/bench-extra.txt"
args=()
[ "${1:-}" = "--quick" ] && args=(--quick)
cargo bench -q -p promdef-benches --bench hot_path -- "${args[@]}" >/dev/null
cargo bench -q -p promdef-benches --bench encode -- "${args[@]}" >/dev/null
cargo bench -q -p promdef-benches --bench heap > "$extra"
python3 benches/compile_cost.py --runs 5 >> "$extra"
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(rustc --version)"
python3 benches/report.py "$target" "$extra"
