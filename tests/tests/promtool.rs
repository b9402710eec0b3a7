//! The exposition passes the reference linter, `promtool check metrics`
//! (Debian package `prometheus`). Skipped, with a message, when promtool is
//! not installed; CI sets `PROMDEF_REQUIRE_TOOLS=1` so it never skips there.

use promdef_tests::{promtool_check, skip};

pub static SHOP: promdef::Registry = promdef::Registry::new();
pub static ESCAPING: promdef::Registry = promdef::Registry::new();

mod shop {
    promdef::metrics!(file = "fixtures/shop/input.yaml");
}
mod escaping {
    promdef::metrics!(file = "fixtures/escaping/input.yaml");
}

#[test]
fn promtool_accepts_the_quickstart_schema_fresh_and_used() {
    use shop::*;
    let Some(problems) = promtool_check(&SHOP.render_text()) else {
        return skip(
            "promtool_accepts_the_quickstart_schema_fresh_and_used",
            "promtool not found (apt-get install prometheus)",
        );
    };
    assert_eq!(problems, "", "fresh exposition");
    for (m, s, r) in [
        (Method::Get, StatusClass::V2xx, "/a"),
        (Method::Other, StatusClass::V5xx, "/b\"\\\n"),
    ] {
        HTTP_REQUESTS_TOTAL
            .with(HttpRequestsTotalLabels {
                method: m,
                status_class: s,
                route: r,
            })
            .inc();
        HTTP_REQUEST_DURATION_SECONDS
            .with(HttpRequestDurationSecondsLabels {
                method: m,
                route: r,
            })
            .observe(0.3);
    }
    HTTP_REQUESTS_IN_PROGRESS.set(f64::NAN);
    let text = SHOP.render_text();
    let problems = promtool_check(&text).unwrap();
    assert_eq!(problems, "", "used exposition:\n{text}");
}

#[test]
fn promtool_accepts_escaped_values_and_special_floats() {
    use escaping::*;
    ESCAPING_EVENTS_TOTAL
        .with(EscapingEventsTotalLabels {
            path_template: "q\"\\\nü",
        })
        .inc();
    ESCAPING_TEMPERATURE_CELSIUS.set(f64::NEG_INFINITY);
    ESCAPING_PAYLOAD_BYTES.observe(f64::INFINITY);
    let text = ESCAPING.render_text();
    let Some(problems) = promtool_check(&text) else {
        return skip(
            "promtool_accepts_escaped_values_and_special_floats",
            "promtool not found (apt-get install prometheus)",
        );
    };
    assert_eq!(problems, "", "{text}");
}

#[test]
fn promtool_reports_what_it_should_see() {
    // Guards the helper itself: a bad exposition must produce problems,
    // or the assertions above could never fail.
    let Some(problems) = promtool_check("# TYPE requests counter\nrequests 1\n") else {
        return skip(
            "promtool_reports_what_it_should_see",
            "promtool not found (apt-get install prometheus)",
        );
    };
    assert!(problems.contains("_total"), "{problems}");
}
