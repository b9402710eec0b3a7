#![deny(deprecated)]

promdef::metrics! {
    /// Orders placed.
    pub counter orders_total { deprecated: { since: "1.2", renamed_to: orders_placed_total, note: "Renamed." } }
    /// Orders placed.
    pub counter orders_placed_total;
}

fn main() {
    // Using a deprecated metric warns (here: denied) with its replacement.
    ORDERS_TOTAL.inc();
    ORDERS_PLACED_TOTAL.inc();
}
