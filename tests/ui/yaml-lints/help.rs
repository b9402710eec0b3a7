promdef::metrics!(file = "ui/yaml-lints/help.yaml");

fn main() {}
