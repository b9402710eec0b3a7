promdef::metrics!(file = "ui/yaml-syntax/wrong_types.yaml");

fn main() {}
