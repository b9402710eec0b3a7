// Two definitions expose the label `method` with different closed sets: each
// has its own enum, named after its key. A metric cannot have both, and a
// keyword label is the raw field `r#type`.
promdef::metrics!(file = "ui/yaml-labels/same_name.yaml");

fn main() {
    HTTP_REQUESTS_TOTAL.with(HttpRequestsTotalLabels { method: HttpMethod::Get }).inc();
    LOGINS_TOTAL.with(LoginsTotalLabels { method: LoginMethod::Sso }).inc();
    JOBS_TOTAL.with(JobsTotalLabels { r#type: JobKind::Batch }).inc();
    // The enums differ: an HTTP method is not a login method.
    LOGINS_TOTAL.with(LoginsTotalLabels { method: HttpMethod::Post }).inc();
}
