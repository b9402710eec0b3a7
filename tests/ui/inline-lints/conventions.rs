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
    /// A DNS zone: what the application calls the resource, so no lint.
    label zone { max_values: 100 }
    /// DNS requests.
    pub counter shop_dns_requests_total(zone);
    /// Nodes' CPU time: the label names the measured object, so no lint.
    label cpu { max_values: 256 }
    /// CPU time.
    pub counter shop_cpu_seconds_total(cpu);
}

fn main() {}
