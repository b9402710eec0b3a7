promdef::metrics!(file = "ui/yaml-labels/labels.yaml");

fn main() {}
