//! Golden tests of the generated code: `tests/codegen/<case>/input.yaml` is
//! checked and generated, pretty-printed with prettyplease and compared with
//! `expected.rs`. Regenerate with `PROMDEF_BLESS=1 cargo test -p
//! promdef-schema --test codegen` and review the diff. (That the code
//! compiles and behaves is what the runtime, trybuild and exposition tests
//! show; this shows what it is.)

use promdef_schema::codegen::{items, Origin};
use promdef_schema::Checked;
use std::path::Path;

fn cases() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen");
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

fn generate(case: &Path) -> String {
    let text = std::fs::read_to_string(case.join("input.yaml")).unwrap();
    let checked = Checked::from_yaml(&text);
    assert!(
        checked.is_clean(),
        "{}: {:?}",
        case.display(),
        checked.diagnostics
    );
    let origin = Origin::Yaml {
        path: "input.yaml".to_string(),
    };
    let tokens = items(&checked, &origin);
    let file: syn::File = syn::parse2(tokens).expect("generated code parses as a Rust file");
    prettyplease::unparse(&file)
}

#[test]
fn generated_code_matches_the_goldens() {
    let cases = cases();
    assert!(cases.len() >= 6, "{cases:?}");
    let bless = std::env::var_os("PROMDEF_BLESS").is_some();
    let mut stale = Vec::new();
    for case in &cases {
        let actual = generate(case);
        let path = case.join("expected.rs");
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            if bless {
                std::fs::write(&path, &actual).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale goldens (run with PROMDEF_BLESS=1 and review the diff): {stale:?}"
    );
}

#[test]
fn generation_is_deterministic() {
    for case in cases() {
        assert_eq!(generate(&case), generate(&case), "{}", case.display());
    }
}
