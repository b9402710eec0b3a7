promdef::metrics!(file = "ui/yaml-syntax/two_documents.yaml");

fn main() {}
