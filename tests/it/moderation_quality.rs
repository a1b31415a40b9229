//! How well the screening applies the policy, measured on the labelled comments of
//! `tests/data/moderation/` (see its README): the tuning part, which the lists, patterns and
//! classifier were built on (its figures cross-validated for the classifier); the development
//! part, read only as figures; and the frozen part, which nothing was tuned against. For each
//! part and register it prints the three figures that matter (abusive comments held or
//! refused; fair comments refused outright; fair comments held), per ground and per class,
//! with the median screening time, and says where the aim (at least 90% of abusive comments
//! caught, no fair comment refused, at most 10% of fair ones held) is met and where not.
//!
//! What the tests hold is the level measured when they were written, per part, so that a
//! change that makes the screening worse on text it was not tuned on fails CI: the floors in
//! `FLOORS`. Raise them as the screening improves; never lower them to pass.
//! `bench/moderation.sh` prints the tables (in release, for the timings).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use gazette::news::moderation::classifier::Classifier;
use gazette::news::moderation::patterns::Patterns;
use gazette::news::moderation::{Category, Decision, Screener, default_lists};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    comment: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    category: String,
    text: String,
    #[serde(default)]
    class: String,
}

/// The registers, in the order the tables show them.
const REGISTERS: [&str; 5] = ["fr", "en", "ar", "darija_ar", "darija_latin"];

/// The aim of the policy (issue 17): abusive comments held or refused, at least; fair
/// comments held, at most; none refused.
const AIM_CAUGHT: f64 = 0.90;
const AIM_FAIR_HELD: f64 = 0.10;

/// What each part must keep, per register: (abusive caught at least, fair refused at most,
/// fair held at most). The level measured at the end of the fourth round (2026-12-08), a few
/// points below; `frozen2` was measured once at the end of the third, `frozen3` once at the
/// end of the fourth.
const FLOORS: [(&str, f64, usize, f64); 5] = [
    ("tuning", 0.79, 0, 0.12),
    ("dev", 0.75, 1, 0.14),
    ("frozen", 0.86, 1, 0.15),
    ("frozen2", 0.86, 1, 0.17),
    ("frozen3", 0.84, 1, 0.22),
];

#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    held: usize,
    refused: usize,
}

impl Tally {
    fn add(&mut self, decision: Decision) {
        self.total += 1;
        match decision {
            Decision::Refuse => self.refused += 1,
            Decision::Spam | Decision::Hold => self.held += 1,
            Decision::Clean => {}
        }
    }

    fn caught(&self) -> usize {
        self.held + self.refused
    }

    fn share(n: usize, total: usize) -> f64 {
        n as f64 / total.max(1) as f64
    }
}

/// Every labelled file of a part, by register (a register may have several files).
fn files_of(part: &str) -> BTreeMap<String, Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/moderation").join(part);
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let register = path.file_stem().unwrap().to_string_lossy().to_string();
                files.entry(register).or_default().push(path);
            }
        }
    }
    files
}

/// Folds of the tuning part: its figures are measured with a classifier trained on the other
/// folds, since the shipped one was trained on all of it (in-sample figures would flatter).
const FOLDS: usize = 5;

/// The screeners a part is measured with: for the frozen part, the shipped screening (trained
/// on the whole tuning part); for the tuning part, one per fold, each trained without it.
fn screeners(part: &str) -> Vec<Screener> {
    if part != "tuning" {
        return vec![Screener::shipped()];
    }
    let examples = labelled("tuning");
    (0..FOLDS)
        .map(|fold| {
            let training =
                examples.iter().enumerate().filter(|(i, _)| i % FOLDS != fold).map(|(_, (register, item))| {
                    (register.as_str(), item.text.as_str(), Category::parse(&item.category))
                });
            Screener::new(&default_lists(), Patterns::shipped(), Arc::new(Classifier::train(training)))
        })
        .collect()
}

/// Every labelled comment of a part with its register, in a fixed order.
fn labelled(part: &str) -> Vec<(String, Item)> {
    let mut out = Vec::new();
    for (register, paths) in files_of(part) {
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let labelled: Labelled = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.extend(labelled.comment.into_iter().map(|item| (register.clone(), item)));
        }
    }
    out
}

/// Screens every comment of a part; prints its tables; returns what misses the targets.
fn measure(part: &str) -> (String, Vec<String>) {
    let screeners = screeners(part);
    let examples = labelled(part);
    let mut report = format!("\n=== {part} ===\n");
    report.push_str("register        abusive  caught   fair  refused  held\n");
    let mut failures = Vec::new();
    let mut grounds: BTreeMap<String, Tally> = BTreeMap::new();
    let mut classes: BTreeMap<(bool, String), Tally> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    for register in REGISTERS {
        let (mut abusive, mut fair) = (Tally::default(), Tally::default());
        for (index, (_, item)) in examples.iter().enumerate().filter(|(_, (r, _))| r == register) {
            let screener = &screeners[index % screeners.len()];
            let screening = screener.screen_text("Lecteur", &item.text);
            let is_fair = item.category == "acceptable";
            if is_fair {
                fair.add(screening.decision);
                if screening.decision != Decision::Clean {
                    for finding in &screening.findings {
                        *sources.entry(finding.source.split(':').next().unwrap_or("").to_string()).or_default() += 1;
                    }
                }
            } else {
                abusive.add(screening.decision);
                grounds.entry(item.category.clone()).or_default().add(screening.decision);
            }
            if !item.class.is_empty() {
                classes.entry((is_fair, item.class.clone())).or_default().add(screening.decision);
            }
            let wrong =
                if is_fair { screening.decision != Decision::Clean } else { screening.decision == Decision::Clean };
            // Only the tuning part's comments are printed: the frozen part is not read.
            if wrong && part == "tuning" {
                let why: Vec<String> =
                    screening.findings.iter().map(|f| format!("{}:{}", f.source, f.matched)).collect();
                misses.push(format!(
                    "  {register} {} {} [{:?} {}]: {}",
                    item.category,
                    item.class,
                    screening.decision,
                    why.join(", "),
                    item.text
                ));
            }
        }
        let caught = Tally::share(abusive.caught(), abusive.total);
        let held = Tally::share(fair.held, fair.total);
        report.push_str(&format!(
            "{register:<14} {:>7}  {:>5.1}%  {:>5}  {:>7}  {:>4.1}%\n",
            abusive.total,
            caught * 100.0,
            fair.total,
            fair.refused,
            held * 100.0
        ));
        let aim_met = caught >= AIM_CAUGHT && fair.refused == 0 && held <= AIM_FAIR_HELD;
        report.push_str(if aim_met {
            ""
        } else {
            "               ^ misses the aim (90% caught, 0 refused, 10% held)\n"
        });
        let (_, min_caught, max_refused, max_held) =
            FLOORS.iter().copied().find(|(p, ..)| *p == part).unwrap_or(("", 0.0, 0, 1.0));
        if caught < min_caught {
            failures.push(format!("{part}/{register}: {:.1}% of abusive comments caught", caught * 100.0));
        }
        if fair.refused > max_refused {
            failures.push(format!("{part}/{register}: {} fair comments refused outright", fair.refused));
        }
        if held > max_held {
            failures.push(format!("{part}/{register}: {:.1}% of fair comments held", held * 100.0));
        }
    }
    let mut timings: Vec<std::time::Duration> = examples
        .iter()
        .take(400)
        .map(|(_, item)| {
            let started = std::time::Instant::now();
            std::hint::black_box(screeners[0].screen_text("Lecteur", &item.text));
            started.elapsed()
        })
        .collect();
    timings.sort();
    if let Some(median) = timings.get(timings.len() / 2) {
        report.push_str(&format!("screening time per comment: median {:.3} ms\n", median.as_secs_f64() * 1000.0));
    }
    report.push_str("\nground         abusive  caught (all registers)\n");
    for (ground, tally) in &grounds {
        report.push_str(&format!(
            "{ground:<14} {:>7}  {:>5.1}%\n",
            tally.total,
            Tally::share(tally.caught(), tally.total) * 100.0
        ));
    }
    report.push_str("\nclass                        n  caught (abusive) · refused / held (fair)\n");
    for ((is_fair, class), tally) in &classes {
        let figure = if *is_fair {
            format!("{} refused, {:.0}% held", tally.refused, Tally::share(tally.held, tally.total) * 100.0)
        } else {
            format!("{:.0}% caught", Tally::share(tally.caught(), tally.total) * 100.0)
        };
        let kind = if *is_fair { "fair" } else { "abusive" };
        report.push_str(&format!("{:<28} {:>3}  {figure}\n", format!("{kind} {class}"), tally.total));
    }
    report.push_str(&format!("\nwhat held fair comments (findings by source): {sources:?}\n"));
    if std::env::var("GAZETTE_MODERATION_MISSES").is_ok() {
        report.push_str(&format!("\nmisses ({}):\n{}\n", misses.len(), misses.join("\n")));
    }
    (report, failures)
}

/// With `GAZETTE_MODERATION_THRESHOLDS` set: how the classifier alone separates the tuning
/// part (cross-validated) at each threshold and in each register, to choose `classifier::hold_above` on it.
fn threshold_table() -> String {
    let screeners = screeners("tuning");
    let examples = labelled("tuning");
    let mut scores: Vec<(bool, String, f64)> = Vec::new();
    for (index, (register, item)) in examples.iter().enumerate() {
        let classifier = &screeners[index % screeners.len()].classifier;
        if let Some(verdict) = classifier.judge(&item.text) {
            scores.push((item.category != "acceptable", register.clone(), verdict.score));
        }
    }
    let mut out =
        String::from("\nthreshold  abusive held / fair held per register (classifier alone, cross-validated)\n");
    for step in (-240..=0).step_by(10) {
        let t = f64::from(step) / 10.0;
        out.push_str(&format!("{t:>8.1}"));
        for register in REGISTERS {
            let held = |bad: bool| {
                let all = scores.iter().filter(|(b, r, _)| *b == bad && r == register).count();
                let above = scores.iter().filter(|(b, r, s)| *b == bad && r == register && *s > t).count();
                100.0 * above as f64 / all.max(1) as f64
            };
            out.push_str(&format!("  {register} {:>5.1}/{:>4.1}", held(true), held(false)));
        }
        out.push('\n');
    }
    out
}

#[test]
fn screening_holds_its_level_on_the_tuning_set() {
    if std::env::var("GAZETTE_MODERATION_THRESHOLDS").is_ok() {
        println!("{}", threshold_table());
    }
    let (report, failures) = measure("tuning");
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

#[test]
fn screening_holds_its_level_on_the_development_set() {
    let (report, failures) = measure("dev");
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

#[test]
fn screening_holds_its_level_on_the_frozen_set() {
    let (report, failures) = measure("frozen");
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

/// The second frozen part, written by another hand after the first was spent, and measured
/// once the work of the third tuning round was done (see the README of the labelled set).
#[test]
fn screening_holds_its_level_on_the_second_frozen_set() {
    let (report, failures) = measure("frozen2");
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}

/// The third frozen part, written by another hand (reading only the README) at the start of
/// the fourth round, and measured once at its end.
#[test]
fn screening_holds_its_level_on_the_third_frozen_set() {
    let (report, failures) = measure("frozen3");
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n"));
}
