promdef::metrics!(file = "ui/yaml-fields/fields.yaml");

fn main() {}
