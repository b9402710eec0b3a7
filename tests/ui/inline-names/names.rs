promdef::metrics! {
    /// Not a valid metric name.
    pub counter "jobs-done_total";
    /// Reserved prefix.
    pub counter __jobs_total;
    /// Jobs done.
    pub counter jobs_total;
    /// Jobs done, declared again.
    pub counter jobs_total;
}

fn main() {}
