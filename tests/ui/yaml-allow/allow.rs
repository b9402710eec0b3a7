promdef::metrics!(file = "ui/yaml-allow/allow.yaml");

fn main() {
    // Allowed metrics are generated as usual.
    JOBS_DONE.inc();
}
