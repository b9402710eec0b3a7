promdef::metrics!(file = "ui/yaml/lint.yaml");

fn main() {}
