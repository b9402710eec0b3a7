promdef::metrics!(file = "ui/yaml-syntax/errors.yaml");

fn main() {}
