promdef::metrics!(file = "../../../../tests/ui/yaml/invalid_syntax.yaml");

fn main() {}
