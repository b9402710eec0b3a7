promdef::metrics!(file = "ui/yaml-lints/cardinality_mixed.yaml");

fn main() {}
