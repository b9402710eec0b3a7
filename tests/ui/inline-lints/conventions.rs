promdef::metrics! {
    namespace = "shop";
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Scrape target.
    label instance { values: [a] }
    /// Too generic.
    label type { values: [a] }
    /// Orders placed.
    pub counter orders_total;
    /// Requests.
    pub counter shop_requests_by_method_total(method);
    /// Jobs.
    pub counter shop_jobs_total(instance, type) { const_labels: { region: "eu" } }
}

fn main() {}
