//! How well the screening applies the policy, measured on the labelled comments in
//! `tests/data/moderation/` (written for Gazette: at least 40 per category and language,
//! acceptable ones included). Prints precision and recall per category and language
//! (`bench/moderation.sh` shows the table), and holds the aim: no acceptable comment refused
//! outright, and at least 90% of the bad ones held or refused in every language.

use std::collections::BTreeMap;

use gazette::news::moderation::{CompiledLists, Decision, Rules, Submission, default_lists, screen};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    comment: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    category: String,
    text: String,
}

const LANGUAGES: [&str; 4] = ["fr", "ar", "darija_ar", "darija_latin"];

#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    caught: usize,
    /// Caught and given this very category as the reason.
    exact: usize,
    refused: usize,
}

#[test]
fn screening_meets_the_aim_on_the_labelled_comments() {
    let lists = CompiledLists::compile(&default_lists());
    let rules = Rules::default();
    let mut report = String::from("\nlanguage      category      n   caught  recall  exact-reason  precision\n");
    let mut failures = Vec::new();
    for lang in LANGUAGES {
        let path = format!("{}/tests/data/moderation/{lang}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let labelled: Labelled = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        // For precision: how often a reason given was the right one.
        let mut given: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for item in &labelled.comment {
            let result = screen(&Submission::new("Lecteur", &item.text, ""), &lists, &rules);
            let caught = matches!(result.decision, Decision::Refuse | Decision::Spam | Decision::Hold);
            let reason = result.reason.map(|c| c.code().to_string()).unwrap_or_default();
            let tally = tallies.entry(item.category.clone()).or_default();
            tally.total += 1;
            tally.caught += usize::from(caught);
            tally.exact += usize::from(reason == item.category);
            tally.refused += usize::from(matches!(result.decision, Decision::Refuse));
            if caught && !reason.is_empty() {
                let entry = given.entry(reason.clone()).or_default();
                entry.0 += 1;
                entry.1 += usize::from(reason == item.category);
            }
            if item.category == "acceptable" && result.decision == Decision::Refuse {
                failures.push(format!("{lang}: acceptable comment refused ({reason}): {}", item.text));
            }
        }
        let (mut bad_total, mut bad_caught) = (0, 0);
        for (category, tally) in &tallies {
            let (gave, right) = given.get(category).copied().unwrap_or((0, 0));
            let precision =
                if gave == 0 { "-".to_string() } else { format!("{:.0}%", 100.0 * right as f64 / gave as f64) };
            let recall = 100.0 * tally.caught as f64 / tally.total.max(1) as f64;
            let label = if category == "acceptable" {
                format!("{}% held", tally.caught * 100 / tally.total.max(1))
            } else {
                format!("{recall:.0}%")
            };
            report.push_str(&format!(
                "{lang:<13} {category:<13} {:>3}  {:>5}   {label:>6}  {:>5}         {precision}\n",
                tally.total, tally.caught, tally.exact
            ));
            if category != "acceptable" {
                bad_total += tally.total;
                bad_caught += tally.caught;
            }
            assert!(tally.total >= 40, "{lang}/{category} has only {} labelled comments", tally.total);
        }
        let recall = bad_caught as f64 / bad_total.max(1) as f64;
        report.push_str(&format!(
            "{lang:<13} all bad       {bad_total:>3}  {bad_caught:>5}   {:>5.1}%\n\n",
            recall * 100.0
        ));
        if recall < 0.9 {
            failures.push(format!("{lang}: only {:.1}% of the bad comments held or refused", recall * 100.0));
        }
    }
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}
