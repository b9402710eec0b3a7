#![deny(deprecated)]

promdef::metrics!(file = "ui/yaml-fields/deprecated_use.yaml");

fn main() {
    // Using a deprecated metric warns (here: denied) with its replacement.
    ORDERS_TOTAL.inc();
    ORDERS_PLACED_TOTAL.inc();
}
