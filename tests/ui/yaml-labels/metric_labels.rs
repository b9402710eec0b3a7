promdef::metrics!(file = "ui/yaml-labels/metric_labels.yaml");

fn main() {}
