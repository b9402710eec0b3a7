promdef::metrics! {
    namespace = "shop-app";
    registry = "not a path";
    /// Orders placed.
    pub counter orders_total;
}

fn main() {}
