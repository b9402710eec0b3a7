promdef::metrics! {
    /// Jobs done.
    pub counter jobs_done_total { unit: seconds }
    /// Jobs waiting.
    pub gauge jobs_waiting;
}

fn main() {
    // Both statics are still generated: the only error is the unit above.
    JOBS_DONE_TOTAL.inc();
    JOBS_WAITING.set(1.0);
}
