promdef::metrics! {
    /// Jobs done.
    pub counter jobs_done { allow: [counter-total-suffix] }
    /// Unused allow.
    pub counter jobs_failed_total { allow: [counter-total-suffix] }
    /// Unknown lint id.
    pub counter jobs_retried { allow: [counter-total-sufix] }
    /// Repeated lint id.
    pub counter jobs_skipped { allow: [counter-total-suffix, counter-total-suffix] }
}

fn main() {
    // Allowed metrics are generated as usual.
    JOBS_DONE.inc();
}
