#!/usr/bin/env python3
"""Prints the benchmark ratio table (Markdown) from one run's results:
criterion medians under <target>/criterion, and the `heap …` / `compile …`
lines that benches/run.sh saved. Usage: report.py <target-dir> <extra-lines-file>
"""
import json, os, sys, pathlib

target = pathlib.Path(sys.argv[1])
extra = pathlib.Path(sys.argv[2]).read_text().splitlines() if len(sys.argv) > 2 else []

def median(group, fn):
    p = target / "criterion" / group / fn / "new" / "estimates.json"
    if not p.exists():
        return None
    return json.loads(p.read_text())["median"]["point_estimate"]

def fmt(ns):
    return "n/a" if ns is None else (f"{ns/1e3:.0f} µs" if ns > 1e5 else f"{ns:.2f} ns")

def ratio(a, b):
    return "n/a" if a is None or b is None else f"{a / b:.2f}×"

PEERS = ["promdef", "measured", "prometheus", "prometheus_static_metric", "prometheus_client", "metrics"]
rows = []
def table(title, group, base_fn, base_name, fns):
    base = median(group, base_fn)
    print(f"\n**{title}** (`{group}`; ratio to {base_name})\n")
    print("| implementation | median | ratio |")
    print("|---|---|---|")
    for fn in fns:
        m = median(group, fn)
        if m is not None:
            print(f"| {fn} | {fmt(m)} | {ratio(m, base)} |")
    return base

table("1. Counter, two closed-set labels (4×4), labels change every call", "counter_closed_4x4", "floor_atomic", "`AtomicU64::fetch_add`", ["floor_atomic"] + PEERS)
table("2. Counter, one open string label (64 values)", "counter_open_label", "prometheus", "prometheus `with_label_values`", ["floor_atomic"] + PEERS)
table("3. Two threads on one series (time per increment per thread)", "contended_2_threads", "floor_atomic_1_thread", "the uncontended atomic", ["floor_atomic_1_thread", "floor_atomic", "promdef", "promdef_sharded", "measured", "prometheus", "prometheus_client"])
table("4. Histogram observe, two closed-set labels, 12 buckets", "histogram_closed_4x4", "measured", "measured", ["floor_atomic"] + PEERS)
table("5. Encode 10,000 counter series + 100 histogram series (12 buckets)", "encode_10k_counters_100_histograms", "measured", "measured", ["promdef", "promdef_openmetrics"] + PEERS[1:])

heap = {l.split()[1]: float(l.split()[2]) for l in extra if l.startswith("heap ")}
if heap:
    print("\n**6. Heap per open-label counter series** (100,000 series, counting allocator)\n")
    print("| implementation | bytes/series |")
    print("|---|---|")
    for k, v in heap.items():
        print(f"| {k} | {v:.1f} |")
comp = [l for l in extra if l.startswith("compile ")]
if comp:
    print("\n**7. Compile cost of 1,000 metrics** (clean build of the crate, dependencies prebuilt)\n")
    for l in comp:
        print(f"- {l[len('compile '):]}")

# Targets, as ratios.
t = lambda g, a, b: (median(g, a) / median(g, b)) if median(g, a) and median(g, b) else None
checks = [
    ("1. closed 4×4 ≤ 1.1× atomic floor", t("counter_closed_4x4", "promdef", "floor_atomic"), lambda r: r <= 1.1),
    ("2. open label ≥ 1.5× faster than prometheus", t("counter_open_label", "prometheus", "promdef"), lambda r: r >= 1.5),
    ("3a. contended ≤ contended atomic", t("contended_2_threads", "promdef", "floor_atomic"), lambda r: r <= 1.0),
    ("3b. sharded, 2 threads ≤ 2× uncontended floor", t("contended_2_threads", "promdef_sharded", "floor_atomic_1_thread"), lambda r: r <= 2.0),
    ("4. histogram ≤ 1.5× measured", t("histogram_closed_4x4", "promdef", "measured"), lambda r: r <= 1.5),
    ("5a. encode ≤ 0.75× measured", t("encode_10k_counters_100_histograms", "promdef", "measured"), lambda r: r <= 0.75),
    ("5b. OpenMetrics ≤ 1.1× text", t("encode_10k_counters_100_histograms", "promdef_openmetrics", "promdef"), lambda r: r <= 1.1),
    ("6. heap ≤ 64 B/series", heap.get("promdef"), lambda r: r <= 64),
]
print("\n**Targets**\n")
print("| target | measured | met |")
print("|---|---|---|")
for name, r, ok in checks:
    print(f"| {name} | {'n/a' if r is None else f'{r:.2f}'} | {'n/a' if r is None else ('yes' if ok(r) else 'NO')} |")
