promdef::metrics!(file = "ui/yaml-native/native.yaml");

fn main() {}
