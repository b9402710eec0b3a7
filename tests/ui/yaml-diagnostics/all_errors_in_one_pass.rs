promdef::metrics!(file = "ui/yaml-diagnostics/all_errors_in_one_pass.yaml");

fn main() {}
