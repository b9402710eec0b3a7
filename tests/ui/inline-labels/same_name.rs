// Two definitions expose the label `method` with different closed sets: each
// has its own enum, named after its key. A metric cannot have both, and a
// keyword label is the raw field `r#type`.
promdef::metrics! {
    /// HTTP request method.
    label http_method { name: method, values: [GET, POST] }
    /// How the user logged in.
    label login_method { name: method, values: [password, sso] }
    /// Kind of job.
    label job_kind { name: "type", values: [batch, stream] }
    /// HTTP requests.
    pub counter http_requests_total(http_method);
    /// Logins.
    pub counter logins_total(login_method);
    /// Jobs.
    pub counter jobs_total(job_kind) { allow: [generic-label] }
    /// Both at once.
    pub counter mixed_total(http_method, login_method);
}

fn main() {
    HTTP_REQUESTS_TOTAL.with(HttpRequestsTotalLabels { method: HttpMethod::Get }).inc();
    LOGINS_TOTAL.with(LoginsTotalLabels { method: LoginMethod::Sso }).inc();
    JOBS_TOTAL.with(JobsTotalLabels { r#type: JobKind::Batch }).inc();
    // The enums differ: an HTTP method is not a login method.
    LOGINS_TOTAL.with(LoginsTotalLabels { method: HttpMethod::Post }).inc();
}
