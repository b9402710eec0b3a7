//! A small line diff for `promdef docs --check`: enough to show reviewers
//! what changed in a stale reference, without another dependency.

/// Past this many line pairs the quadratic table is not worth it: show the
/// first differing line only.
const MAX_CELLS: usize = 4_000_000;
const CONTEXT: usize = 2;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Op {
    Keep,
    Del,
    Add,
}

/// `-`/`+` lines with two lines of context and `@@ -a +b @@` headers
/// (1-based line numbers of the first line of each hunk).
pub fn unified(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        return format!(
            "@@ -{0} +{0} @@ (files too large for a full diff)\n-{1}\n+{2}\n",
            i + 1,
            a.get(i).unwrap_or(&""),
            b.get(i).unwrap_or(&"")
        );
    }
    // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((Op::Keep, i, j));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push((Op::Del, i, j));
            i += 1;
        } else {
            ops.push((Op::Add, i, j));
            j += 1;
        }
    }
    let mut out = String::new();
    let mut k = 0;
    while k < ops.len() {
        if ops[k].0 == Op::Keep {
            k += 1;
            continue;
        }
        // A hunk: from CONTEXT before this change to CONTEXT after the last
        // change that is within 2 * CONTEXT of the previous one.
        let start = k.saturating_sub(CONTEXT);
        let mut end = k;
        let mut last_change = k;
        while end < ops.len() && end <= last_change + 2 * CONTEXT {
            if ops[end].0 != Op::Keep {
                last_change = end;
            }
            end += 1;
        }
        let end = (last_change + CONTEXT + 1).min(ops.len());
        let (_, ai, bj) = ops[start];
        out.push_str(&format!("@@ -{} +{} @@\n", ai + 1, bj + 1));
        for &(op, ai, bj) in &ops[start..end] {
            match op {
                Op::Keep => out.push_str(&format!(" {}\n", a[ai])),
                Op::Del => out.push_str(&format!("-{}\n", a[ai])),
                Op::Add => out.push_str(&format!("+{}\n", b[bj])),
            }
        }
        k = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\n";
        assert_eq!(
            unified(old, new),
            "@@ -2 +2 @@\n b\n c\n-d\n+D\n e\n f\n@@ -7 +7 @@\n g\n h\n+i\n"
        );
    }

    #[test]
    fn identical_is_empty() {
        assert_eq!(unified("a\nb\n", "a\nb\n"), "");
    }
}
