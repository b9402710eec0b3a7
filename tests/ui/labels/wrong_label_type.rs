promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Status class.
    label status_class { values: ["2xx", "5xx"] }
    /// Route template.
    label route { max_values: 10 }
    /// Requests handled.
    pub counter requests_total(method, status_class, route);
}

fn main() {
    // Values swapped between two closed labels, and a string where an enum belongs.
    REQUESTS_TOTAL
        .with(RequestsTotalLabels { method: StatusClass::V2xx, status_class: Method::Get, route: "/" })
        .inc();
    REQUESTS_TOTAL
        .with(RequestsTotalLabels { method: "GET", status_class: StatusClass::V5xx, route: "/" })
        .inc();
}
