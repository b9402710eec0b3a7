promdef::metrics! {
    max_series = 100;
    /// Route template.
    label route {}
    /// The user.
    label user_id {}
    /// Tenant.
    label tenant { max_values: 50 }
    /// Region.
    label region_name { values: [eu, us, ap] }
    /// Requests.
    pub counter requests_total(route);
    /// Logins.
    pub counter logins_total(user_id);
    /// Calls.
    pub counter calls_total(tenant, region_name);
    /// Calls, with a larger budget.
    pub counter big_calls_total(tenant, region_name) { max_series: 150 }
    /// Calls, within its budget.
    pub counter small_calls_total(tenant) { max_series: 50 }
}

fn main() {}
