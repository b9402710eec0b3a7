//! Property test: random label values (quotes, backslashes, newlines,
//! unicode) survive a round trip through a real parser — Python
//! `prometheus_client`'s text parser. Skipped, with a message, when Python or
//! `prometheus_client` is missing; CI installs both and sets
//! `PROMDEF_REQUIRE_TOOLS=1`.

use promdef_tests::{python_with_client, run_with_input, skip};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

pub static RT: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::RT;
    /// Any text at all.
    label anything { max_values: 100000 }
    /// Values of arbitrary text.
    pub counter roundtrip_values_total(anything);
}

/// Prints each sample's label value as hex UTF-8 and its value, one per line.
const PARSE: &str = r#"
import sys
from prometheus_client.parser import text_string_to_metric_families
text = sys.stdin.read()
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        if s.name == "roundtrip_values_total":
            print(s.labels["anything"].encode("utf-8").hex(), repr(s.value))
"#;

fn label_value() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => Just('"'),
        4 => Just('\\'),
        4 => Just('\n'),
        2 => Just('n'),
        2 => Just('{'),
        2 => Just('}'),
        2 => Just(','),
        2 => Just('='),
        2 => Just(' '),
        2 => Just('#'),
        2 => Just('\r'),
        4 => any::<char>(),
        2 => prop::char::range('\u{80}', '\u{10FFFF}'),
    ];
    prop::collection::vec(ch, 0..16).prop_map(|v| v.into_iter().collect())
}

static MODEL: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

#[test]
fn label_values_survive_a_real_parser() {
    let Some(py) = python_with_client() else {
        return skip(
            "label_values_survive_a_real_parser",
            "python3 with prometheus_client not found (pip install prometheus_client)",
        );
    };
    let config = ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    };
    proptest!(config, |(values in prop::collection::vec(label_value(), 1..20))| {
        let mut model = MODEL.lock().unwrap();
        for v in &values {
            ROUNDTRIP_VALUES_TOTAL.with(RoundtripValuesTotalLabels { anything: v }).inc();
            *model.entry(v.clone()).or_default() += 1;
        }
        let text = RT.render_text();
        let (ok, out, err) = run_with_input(Command::new(&py).args(["-c", PARSE]), &text, Duration::from_secs(60))
            .expect("python runs");
        prop_assert!(ok, "parser failed: {err}\n{text}");
        let mut parsed = BTreeMap::new();
        for line in out.lines() {
            let (hex, value) = line.split_once(' ').unwrap();
            let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
            let label = String::from_utf8(bytes).unwrap();
            let value: f64 = value.parse().unwrap();
            prop_assert!(parsed.insert(label.clone(), value as u64).is_none(), "series {label:?} exposed twice");
        }
        prop_assert_eq!(&parsed, &*model);
    });
}
