promdef::metrics!(file = "ui/yaml-syntax/invalid_syntax.yaml");

fn main() {}
