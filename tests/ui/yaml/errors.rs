promdef::metrics!(file = "../../../../tests/ui/yaml/errors.yaml");

fn main() {}
