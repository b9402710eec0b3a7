promdef::metrics!(file = "ui/yaml-lints/cardinality.yaml");

fn main() {}
