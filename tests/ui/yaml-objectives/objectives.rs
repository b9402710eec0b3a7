promdef::metrics!(file = "ui/yaml-objectives/objectives.yaml");

fn main() {}
