promdef::metrics!(file = "ui/yaml-diagnostics/one_error_no_cascade.yaml");

fn main() {
    // Both statics are still generated: the only error is the unit above.
    JOBS_DONE_TOTAL.inc();
    JOBS_WAITING.set(1.0);
}
