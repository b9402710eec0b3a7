// A port whose help texts are missing: one top-level `allow` accepts the lint
// for every metric; an unused top-level entry, an unknown id and an always-on
// lint in `enable` are errors. The statics are generated and typed.
promdef::metrics!(file = "ui/yaml-allow/schema_allow.yaml");

fn main() {
    JOBS_DONE_TOTAL.inc();
    let _: () = QUEUE_LENGTH.get();
}
