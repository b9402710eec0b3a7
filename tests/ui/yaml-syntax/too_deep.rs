promdef::metrics!(file = "ui/yaml-syntax/too_deep.yaml");

fn main() {}
