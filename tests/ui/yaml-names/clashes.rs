promdef::metrics!(file = "ui/yaml-names/clashes.yaml");

fn main() {}
