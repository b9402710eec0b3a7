promdef::metrics! {
    enable = [help-period];
    pub counter jobs_total;
    /// Jobs waiting
    pub gauge jobs_waiting;
    ///
    pub gauge jobs_running;
}

fn main() {}
