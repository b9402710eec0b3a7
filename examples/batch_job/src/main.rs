//! `cargo run -p batch-job -- http://localhost:9091 db/1 1200`: imports
//! (pretends to) and pushes `nightly_*` metrics to the Pushgateway.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gateway = args.first().map_or("http://127.0.0.1:9091", String::as_str);
    let source = args.get(1).map_or("db-1", String::as_str);
    let rows = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1200);
    if let Err(e) = batch_job::run(gateway, source, rows) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
