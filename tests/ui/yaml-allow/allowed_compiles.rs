// Every lint allowed where it fires: the schema compiles. The one
// deliberate error below proves the statics were generated and typed.
promdef::metrics!(file = "ui/yaml-allow/allowed_compiles.yaml");

fn main() {
    JOBS_DONE.inc();
    RPC_LATENCY_MS.set(1.0);
    let _: () = JOBS_DONE.get();
}
