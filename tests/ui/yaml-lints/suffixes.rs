promdef::metrics!(file = "ui/yaml-lints/suffixes.yaml");

fn main() {}
