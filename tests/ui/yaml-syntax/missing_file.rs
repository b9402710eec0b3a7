promdef::metrics!(file = "schema/does_not_exist.yaml");

fn main() {}
