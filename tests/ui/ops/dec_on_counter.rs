promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Requests handled.
    pub counter requests_total(method);
}

fn main() {
    REQUESTS_TOTAL.with(RequestsTotalLabels { method: Method::Get }).dec();
}
