promdef::metrics!(file = "ui/yaml-names/names.yaml");

fn main() {}
