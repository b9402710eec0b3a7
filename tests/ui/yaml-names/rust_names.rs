promdef::metrics!(file = "ui/yaml-names/rust_names.yaml");

fn main() {}
