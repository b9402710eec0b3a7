promdef::metrics! {
    /// A label the HTTP layer cannot fill.
    label user { max_values: 10 }
    /// Status class.
    label status_class { values: ["1xx", "2xx", "3xx", "4xx", "5xx"] }
    /// Requests by user: not an HTTP request shape.
    pub counter logins_total(user);
    /// In flight by status: there is no status before the response.
    pub gauge busy_requests(status_class);
    /// A gauge where a counter belongs.
    pub gauge requests_seen;
}

fn main() {
    let _ = promdef::http::HttpMetrics::new().requests(&LOGINS_TOTAL);
    let _ = promdef::http::HttpMetrics::new().active(&BUSY_REQUESTS);
    let _ = promdef::http::HttpMetrics::new().requests(&REQUESTS_SEEN);
}
