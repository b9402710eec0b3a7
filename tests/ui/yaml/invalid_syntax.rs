promdef::metrics!(file = "ui/yaml/invalid_syntax.yaml");

fn main() {}
