promdef::metrics!(file = "../../../../tests/ui/yaml/lint.yaml");

fn main() {}
