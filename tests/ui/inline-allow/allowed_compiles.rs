// Every lint allowed where it fires: the declaration compiles. The one
// deliberate error below proves the statics were generated and typed.
promdef::metrics! {
    enable = [help-period];
    /// Jobs done
    pub counter jobs_done { allow: [help-period, counter-total-suffix] }
    /// Latency.
    pub gauge "rpc:latency_ms" { allow: [colon-in-name, abbreviated-unit] }
}

fn main() {
    JOBS_DONE.inc();
    RPC_LATENCY_MS.set(1.0);
    let _: () = JOBS_DONE.get();
}
