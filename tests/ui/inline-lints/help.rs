promdef::metrics! {
    pub counter jobs_total;
    /// Jobs waiting
    pub gauge jobs_waiting;
    ///
    pub gauge jobs_running;
}

fn main() {}
