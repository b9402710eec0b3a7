promdef::metrics!(file = "ui/yaml-syntax/alias_bomb.yaml");

fn main() {}
