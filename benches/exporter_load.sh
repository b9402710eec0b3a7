#!/usr/bin/env bash
# Scrape load on the exporter at 1, 10 and 200 concurrent clients over a
# registry of 100,000 series: scrapes/s, peak RSS, most threads. Each client
# count runs in its own process, so each peak RSS is its own.
# Usage: benches/exporter_load.sh [series] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
series="${1:-100000}"
seconds="${2:-20}"
cargo build -q --release -p promdef-benches --bin exporter_load
bin="${CARGO_TARGET_DIR:-target}/release/exporter_load"
for clients in 1 10 200; do
  timeout $((seconds + 60)) "$bin" "$series" "$clients" "$seconds" || echo "clients=$clients did not finish"
done
