promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Route template.
    label route { max_values: 10 }
    /// Requests handled.
    pub counter requests_total(method, route);
}

fn main() {
    REQUESTS_TOTAL.with(RequestsTotalLabels { method: Method::Get }).inc();
}
