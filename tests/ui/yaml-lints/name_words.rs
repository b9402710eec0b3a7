promdef::metrics!(file = "ui/yaml-lints/name_words.yaml");

fn main() {}
