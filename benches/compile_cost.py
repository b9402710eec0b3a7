#!/usr/bin/env python3
"""Compile cost of N metrics (default 1,000): promdef from one YAML file vs
the same metrics hand-written with the `prometheus` crate.

Generates two crates in a scratch workspace (under the target dir, never
committed), builds their dependencies once, then times `cargo build` of each
crate alone (after `cargo clean -p`) several times and prints medians and the
ratio. With `--deps`, also times a clean build of a crate that depends on
nothing but `promdef` (its whole dependency tree, the proc macro included)
beside one depending only on `prometheus`.
Usage: python3 benches/compile_cost.py [--runs N] [--metrics N] [--deps]
"""
import os, subprocess, sys, time, statistics, pathlib, shutil

def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default

N = arg("--metrics", 1000)
RUNS = arg("--runs", 3)
root = pathlib.Path(__file__).resolve().parent.parent
target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
work = target / "compile-cost"
shutil.rmtree(work, ignore_errors=True)
(work / "gen_promdef" / "src").mkdir(parents=True)
(work / "gen_prometheus" / "src").mkdir(parents=True)

METHODS = ["GET", "POST", "PUT", "DELETE"]
CLASSES = ["2xx", "3xx", "4xx", "5xx"]
BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

def kind(i):
    return ["counter", "counter_labels", "gauge", "histogram", "counter_open"][i % 5]

# --- promdef: one YAML file
y = ["namespace: app", "labels:",
     "  method:", "    help: Method.", f"    values: [{', '.join(METHODS)}]",
     "  status_class:", "    help: Status class.", "    values: [" + ", ".join(f'\"{c}\"' for c in CLASSES) + "]",
     "  route:", "    help: Route.", "    max_values: 100", "metrics:"]
for i in range(N):
    k = kind(i)
    if k == "counter":
        y += [f"  - name: app_events_{i}_total", "    type: counter", f"    help: Events {i}."]
    elif k == "counter_labels":
        y += [f"  - name: app_requests_{i}_total", "    type: counter", f"    help: Requests {i}.", "    labels: [method, status_class]"]
    elif k == "gauge":
        y += [f"  - name: app_queue_{i}_items", "    type: gauge", f"    help: Queue {i}."]
    elif k == "histogram":
        y += [f"  - name: app_latency_{i}_seconds", "    type: histogram", "    unit: seconds", f"    help: Latency {i}.",
              "    labels: [method]", f"    buckets: [{', '.join(str(b) for b in BUCKETS)}]"]
    else:
        y += [f"  - name: app_hits_{i}_total", "    type: counter", f"    help: Hits {i}.", "    labels: [route]"]
(work / "gen_promdef" / "metrics.yaml").write_text("\n".join(y) + "\n")
(work / "gen_promdef" / "src" / "lib.rs").write_text('promdef::metrics!(file = "metrics.yaml");\n')

# --- prometheus: the same metrics by hand, registered into one registry
r = ["use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry};",
     "use std::sync::LazyLock;", "",
     "pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);",
     "fn reg<T: prometheus::core::Collector + Clone + 'static>(m: T) -> T {",
     "    REGISTRY.register(Box::new(m.clone())).expect(\"unique metric\");", "    m", "}", ""]
bk = "vec![" + ", ".join(str(float(b)) for b in BUCKETS) + "]"
for i in range(N):
    k = kind(i)
    if k == "counter":
        r.append(f'pub static EVENTS_{i}_TOTAL: LazyLock<IntCounter> = LazyLock::new(|| reg(IntCounter::new("app_events_{i}_total", "Events {i}.").unwrap()));')
    elif k == "counter_labels":
        r.append(f'pub static REQUESTS_{i}_TOTAL: LazyLock<IntCounterVec> = LazyLock::new(|| reg(IntCounterVec::new(Opts::new("app_requests_{i}_total", "Requests {i}."), &["method", "status_class"]).unwrap()));')
    elif k == "gauge":
        r.append(f'pub static QUEUE_{i}_ITEMS: LazyLock<IntGauge> = LazyLock::new(|| reg(IntGauge::new("app_queue_{i}_items", "Queue {i}.").unwrap()));')
    elif k == "histogram":
        r.append(f'pub static LATENCY_{i}_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| reg(HistogramVec::new(HistogramOpts::new("app_latency_{i}_seconds", "Latency {i}.").buckets({bk}), &["method"]).unwrap()));')
    else:
        r.append(f'pub static HITS_{i}_TOTAL: LazyLock<IntCounterVec> = LazyLock::new(|| reg(IntCounterVec::new(Opts::new("app_hits_{i}_total", "Hits {i}."), &["route"]).unwrap()));')
r.append("#[allow(unused)] fn _unused(_: Histogram) {}")
(work / "gen_prometheus" / "src" / "lib.rs").write_text("\n".join(r) + "\n")

runtime = (root / "metrics-runtime").as_posix()
(work / "gen_promdef" / "Cargo.toml").write_text(f'[package]\nname = "gen_promdef"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\npromdef = {{ path = "{runtime}" }}\n')
(work / "gen_prometheus" / "Cargo.toml").write_text('[package]\nname = "gen_prometheus"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nprometheus = { version = "0.14", default-features = false }\n')
(work / "Cargo.toml").write_text('[workspace]\nresolver = "2"\nmembers = ["gen_promdef", "gen_prometheus"]\n')
shutil.copy(root / "rust-toolchain.toml", work / "rust-toolchain.toml")
lock = root / "Cargo.lock"
if lock.exists():
    shutil.copy(lock, work / "Cargo.lock")

env = dict(os.environ, CARGO_TARGET_DIR=str(work / "target"))
def cargo(*args):
    subprocess.run(["cargo", *args], cwd=work, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

cargo("build", "-q")  # dependencies (and both crates) prebuilt
times = {}
for krate in ["gen_promdef", "gen_prometheus"]:
    samples = []
    # One untimed rebuild first: the first build after `cargo clean -p` also
    # redoes work the later ones reuse, and would skew a small median.
    cargo("clean", "-q", "-p", krate)
    cargo("build", "-q", "-p", krate)
    for _ in range(RUNS):
        cargo("clean", "-q", "-p", krate)
        t = time.perf_counter()
        cargo("build", "-q", "-p", krate)
        samples.append(time.perf_counter() - t)
    times[krate] = statistics.median(samples)
    print(f"compile {krate} {times[krate]:.2f}s (runs: {', '.join(f'{s:.2f}' for s in samples)})")
print(f"compile ratio promdef/prometheus {times['gen_promdef'] / times['gen_prometheus']:.2f} ({N} metrics)")

if "--deps" in sys.argv:
    # A clean build of each crate's whole dependency tree (one job per core,
    # as users get it), the metrics crates themselves excluded.
    deps = {}
    for krate, dep in [("gen_promdef", "promdef"), ("gen_prometheus", "prometheus")]:
        samples = []
        for _ in range(max(1, RUNS // 2)):
            cargo("clean", "-q")
            t = time.perf_counter()
            cargo("build", "-q", "-p", dep)
            samples.append(time.perf_counter() - t)
        deps[dep] = statistics.median(samples)
        print(f"clean build of `{dep}` and its dependencies {deps[dep]:.1f}s (runs: {', '.join(f'{s:.1f}' for s in samples)})")
