//! A readable line diff for revisions and conflicts: longest common subsequence over lines
//! (articles have a few hundred lines at most, so the quadratic table is small).

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DiffLine {
    pub change: Change,
    pub text: String,
}

/// The lines of `old` and `new`, marked as kept, removed or added, in reading order.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Beyond this size, show the whole old text removed and the new added rather than spend
    // memory on the table.
    if a.len() * b.len() > 4_000_000 {
        return a
            .iter()
            .map(|l| DiffLine { change: Change::Removed, text: l.to_string() })
            .chain(b.iter().map(|l| DiffLine { change: Change::Added, text: l.to_string() }))
            .collect();
    }
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(DiffLine { change: Change::Same, text: a[i].to_string() });
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            out.push(DiffLine { change: Change::Removed, text: a[i].to_string() });
            i += 1;
        } else {
            out.push(DiffLine { change: Change::Added, text: b[j].to_string() });
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| DiffLine { change: Change::Removed, text: l.to_string() }));
    out.extend(b[j..].iter().map(|l| DiffLine { change: Change::Added, text: l.to_string() }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked() {
        let diff = diff_lines("a\nb\nc", "a\nB\nc\nd");
        let kinds: Vec<(Change, &str)> = diff.iter().map(|l| (l.change.clone(), l.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (Change::Same, "a"),
                (Change::Removed, "b"),
                (Change::Added, "B"),
                (Change::Same, "c"),
                (Change::Added, "d")
            ]
        );
    }
}
