promdef::metrics!(file = "ui/yaml-names/schema_level.yaml");

fn main() {}
