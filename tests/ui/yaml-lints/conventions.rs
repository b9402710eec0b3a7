promdef::metrics!(file = "ui/yaml-lints/conventions.yaml");

fn main() {}
