promdef::metrics! {
    /// Request latency.
    pub histogram request_duration_seconds { unit: seconds }
}

fn main() {
    REQUEST_DURATION_SECONDS.set(1.0);
}
