// A deprecated metric's static carries `#[deprecated]`: every use site gets
// rustc's warning naming the replacement (an error here, under `deny`).
#![deny(deprecated)]

promdef::metrics! {
    /// Jobs processed.
    pub counter jobs_processed_total;
    /// Jobs done, by the old name.
    pub counter jobs_done_total {
        deprecated: { since: "1.3", renamed_to: "jobs_processed_total", note: "removed in 2.0" },
    }
}

fn main() {
    JOBS_PROCESSED_TOTAL.inc();
    JOBS_DONE_TOTAL.inc();
}
