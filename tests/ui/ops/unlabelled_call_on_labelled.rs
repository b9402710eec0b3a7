promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Requests handled.
    pub counter requests_total(method);
}

fn main() {
    // Labels are required: there is no series without them.
    REQUESTS_TOTAL.inc();
}
