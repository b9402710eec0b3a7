promdef::metrics!(file = "ui/yaml/errors.yaml");

fn main() {}
