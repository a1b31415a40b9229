//! Screening reader comments against the paper's published policy, before a human sees them.
//!
//! Pure rules, no I/O, in the order they run:
//! - `normalize`: every evasion undone first (look-alike letters from other scripts, spaced and
//!   repeated letters, digit and symbol swaps, tatweel and harakat, invisible characters);
//! - word and phrase lists per register (`lists/*.toml`: French, English, Arabic, Darija in
//!   Arabic and in Latin script): a banned term refuses the comment on its ground, a suspect
//!   term holds it;
//! - `patterns`: rules over meaning (a call to violence, a threat, a group dehumanized, a crime
//!   stated as fact) that hold a comment no single word condemns; quoting or reporting what was
//!   said lowers a refusal to a hold, never the reverse;
//! - `personal`: phone numbers (in digits or in words), e-mail and street addresses;
//! - `links`: spam judged by what the links are (shorteners, messaging invitations, disguised
//!   or repeated links), not by the presence of `http`;
//! - `classifier`: a statistical model that learns from the moderators' decisions; it may send
//!   a clean comment to the queue, never refuse one.
//!
//! A refusal always cites a ground of the published charter; everything else waits in the queue
//! as usual (the paper pre-moderates), flagged with what was found.

pub mod classifier;
pub mod links;
pub mod normalize;
pub mod patterns;
pub mod personal;
mod phrases;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use classifier::Classifier;
use normalize::{Token, prepare, tokens};
use patterns::Patterns;
pub use personal::personal_data;

/// The policy's categories, and spam.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Threat,
    Incitement,
    Hate,
    Racism,
    Privacy,
    Defamation,
    Slander,
    Insult,
    Spam,
}

impl Category {
    /// In order of gravity: the first found is the reason given.
    pub const ALL: [Category; 9] = [
        Category::Threat,
        Category::Incitement,
        Category::Hate,
        Category::Racism,
        Category::Privacy,
        Category::Defamation,
        Category::Slander,
        Category::Insult,
        Category::Spam,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Threat => "threat",
            Category::Incitement => "incitement",
            Category::Hate => "hate",
            Category::Racism => "racism",
            Category::Privacy => "privacy",
            Category::Defamation => "defamation",
            Category::Slander => "slander",
            Category::Insult => "insult",
            Category::Spam => "spam",
        }
    }

    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The registers lists exist for.
pub const LIST_LANGUAGES: [&str; 5] = ["fr", "en", "ar", "darija_ar", "darija_latin"];

/// One language's lists as written (plain words and phrases).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CategoryList {
    pub banned: Vec<String>,
    pub suspect: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LanguageLists {
    pub hate: CategoryList,
    pub defamation: CategoryList,
    pub slander: CategoryList,
    pub privacy: CategoryList,
    pub racism: CategoryList,
    pub threat: CategoryList,
    pub insult: CategoryList,
    pub incitement: CategoryList,
    pub spam: SpamList,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SpamList {
    pub phrases: Vec<String>,
}

impl LanguageLists {
    fn categories(&self) -> [(Category, &CategoryList); 8] {
        [
            (Category::Threat, &self.threat),
            (Category::Incitement, &self.incitement),
            (Category::Hate, &self.hate),
            (Category::Racism, &self.racism),
            (Category::Privacy, &self.privacy),
            (Category::Defamation, &self.defamation),
            (Category::Slander, &self.slander),
            (Category::Insult, &self.insult),
        ]
    }
}

/// Every language's lists, as admins edit them (the defaults ship in the binary).
pub type PolicyLists = BTreeMap<String, LanguageLists>;

const DEFAULT_LISTS: [(&str, &str); 5] = [
    ("fr", include_str!("moderation/lists/fr.toml")),
    ("en", include_str!("moderation/lists/en.toml")),
    ("ar", include_str!("moderation/lists/ar.toml")),
    ("darija_ar", include_str!("moderation/lists/darija_ar.toml")),
    ("darija_latin", include_str!("moderation/lists/darija_latin.toml")),
];

/// The lists that ship with Gazette.
pub fn default_lists() -> PolicyLists {
    DEFAULT_LISTS.iter().map(|(lang, text)| (lang.to_string(), toml::from_str(text).unwrap_or_default())).collect()
}

/// The lists an admin saved, with the shipped ones for any register they do not hold (a
/// register added since, English say, is screened from the day it ships).
pub fn with_defaults(mut saved: PolicyLists) -> PolicyLists {
    for (register, lists) in default_lists() {
        saved.entry(register).or_insert(lists);
    }
    saved
}

/// How bad a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Banned,
    Suspect,
}

/// One thing the screening found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: Category,
    pub severity: Severity,
    /// The words of the comment as written, to highlight for the moderator.
    pub matched: String,
    /// Which list or rule matched ("fr", "phone", "links", ...).
    pub source: String,
}

/// What happens to the comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Refused outright, with the first banned category as the reason.
    Refuse,
    /// Marked as spam.
    Spam,
    /// Waits for a moderator, flagged with the findings.
    Hold,
    /// Nothing found: waits for a moderator like every comment (or is approved for a trusted
    /// commenter, which the caller decides).
    Clean,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    pub decision: Decision,
    pub reason: Option<Category>,
    pub findings: Vec<Finding>,
}

/// Settings that shape the screening.
#[derive(Clone, Debug)]
pub struct Rules {
    /// More links than this hold the comment.
    pub max_links: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { max_links: 2 }
    }
}

/// A list entry, normalized once.
#[derive(Clone, Debug)]
struct Entry {
    tokens: Vec<String>,
}

/// Lists compiled for matching.
#[derive(Clone, Debug, Default)]
pub struct CompiledLists {
    /// (register, category, severity, entry)
    entries: Vec<(String, Category, Severity, Entry)>,
    spam: Vec<(String, Entry)>,
}

impl CompiledLists {
    pub fn compile(lists: &PolicyLists) -> CompiledLists {
        let mut compiled = CompiledLists::default();
        for (lang, lists) in lists {
            let keep_digits = lang == "darija_latin";
            let entry = |text: &str| {
                let tokens = tokens(&prepare(text), keep_digits).into_iter().map(|t| t.normal).collect::<Vec<_>>();
                (!tokens.is_empty()).then_some(Entry { tokens })
            };
            for (category, list) in lists.categories() {
                for (severity, terms) in [(Severity::Banned, &list.banned), (Severity::Suspect, &list.suspect)] {
                    for term in terms {
                        if let Some(e) = entry(term) {
                            compiled.entries.push((lang.clone(), category, severity, e));
                        }
                    }
                }
            }
            for phrase in &lists.spam.phrases {
                if let Some(e) = entry(phrase) {
                    compiled.spam.push((lang.clone(), e));
                }
            }
        }
        compiled
    }
}

/// A comment as the screening sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Submission<'a> {
    pub name: &'a str,
    pub body: &'a str,
    /// Checked for links only.
    pub website: &'a str,
    /// The same text was posted in the last day (a copy-paste flood): the caller knows, the
    /// screening decides what it means.
    pub repeated: bool,
}

impl<'a> Submission<'a> {
    pub fn new(name: &'a str, body: &'a str, website: &'a str) -> Submission<'a> {
        Submission { name, body, website, repeated: false }
    }
}

/// Everything the screening applies: the lists in force, the meaning patterns, and the
/// classifier as the moderators' decisions have taught it.
#[derive(Clone, Debug)]
pub struct Screener {
    pub lists: CompiledLists,
    pub patterns: std::sync::Arc<Patterns>,
    pub classifier: std::sync::Arc<Classifier>,
}

impl Screener {
    pub fn new(
        lists: &PolicyLists,
        patterns: std::sync::Arc<Patterns>,
        classifier: std::sync::Arc<Classifier>,
    ) -> Screener {
        Screener { lists: CompiledLists::compile(lists), patterns, classifier }
    }

    /// The screening as it ships: the default lists, the patterns, the classifier trained on
    /// the labelled set and nothing learned yet.
    pub fn shipped() -> Screener {
        Screener::new(&default_lists(), Patterns::shipped(), std::sync::Arc::new(classifier::shipped()))
    }

    /// Screens a comment.
    pub fn screen(&self, submission: &Submission<'_>, rules: &Rules) -> Screening {
        screen_with(self, submission, rules)
    }

    /// Screens a comment's name and text with the default rules (tests, the benchmark).
    pub fn screen_text(&self, name: &str, body: &str) -> Screening {
        self.screen(&Submission::new(name, body, ""), &Rules::default())
    }
}

/// Screens a comment with lists alone, no patterns or classifier (the fuzz invariants).
pub fn screen(submission: &Submission<'_>, lists: &CompiledLists, rules: &Rules) -> Screening {
    let screener = Screener {
        lists: lists.clone(),
        patterns: std::sync::Arc::new(Patterns::default()),
        classifier: std::sync::Arc::new(Classifier::default()),
    };
    screen_with(&screener, submission, rules)
}

fn screen_with(screener: &Screener, submission: &Submission<'_>, rules: &Rules) -> Screening {
    let Submission { name, body, website, repeated } = *submission;
    let text = prepare(&format!("{name}\n{body}"));
    let plain = tokens(&text, false);
    let digits_kept = tokens(&text, true);
    let mut findings = Vec::new();
    // A list entry can only match where its first word is: most are skipped by one lookup.
    let present: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        plain.iter().chain(&digits_kept).map(|t| t.normal.as_str()).collect();
    let could_match = |tokens: &[String]| tokens.first().is_some_and(|first| present.contains(first.as_str()));
    for (lang, category, severity, entry) in &screener.lists.entries {
        let haystack = if lang == "darija_latin" { &digits_kept } else { &plain };
        if !could_match(&entry.tokens) {
            continue;
        }
        if let Some(matched) = find(haystack, &entry.tokens) {
            findings.push(Finding { category: *category, severity: *severity, matched, source: lang.clone() });
        }
    }
    for (lang, entry) in &screener.lists.spam {
        let haystack = if lang == "darija_latin" { &digits_kept } else { &plain };
        if !could_match(&entry.tokens) {
            continue;
        }
        if let Some(matched) = find(haystack, &entry.tokens) {
            findings.push(Finding {
                category: Category::Spam,
                severity: Severity::Suspect,
                matched,
                source: lang.clone(),
            });
        }
    }
    findings.extend(screener.patterns.find(&plain, &digits_kept, body));
    findings.extend(personal_data(body));
    findings.extend(evasion(body, &plain));
    let links = links::links_in(&format!("{body} {website} {name}"));
    findings.extend(link_findings(&links, rules));
    if shouting_or_flooding(body) {
        findings.push(Finding {
            category: Category::Spam,
            severity: Severity::Suspect,
            matched: "repetition".into(),
            source: "repetition".into(),
        });
    }
    // Quoting or reporting what was said lowers a refusal to a hold: the reader may be the
    // one threatened or insulted. A word that is a name here ("Pr Conard", « السي بوزبال »)
    // is held for a look, not refused. Neither ever raises anything.
    // A list's word used as a name or of a thing ("tuer le match") says nothing: a suspect
    // one is dropped, a banned one held for a look.
    findings.retain_mut(|finding| {
        if !LIST_LANGUAGES.contains(&finding.source.as_str()) {
            return true;
        }
        let name = screener.patterns.is_name(&plain, body, &finding.matched);
        let idiom = screener.patterns.idiomatic(&plain, &finding.matched);
        if finding.severity == Severity::Banned {
            if screener.patterns.reported(&plain, body, &finding.matched) {
                finding.severity = Severity::Suspect;
                finding.source = format!("{} (quoted)", finding.source);
            } else if name || idiom {
                finding.severity = Severity::Suspect;
                finding.source = format!("{} ({})", finding.source, if name { "name" } else { "idiom" });
            }
            return true;
        }
        !(name || idiom)
    });
    // What a reader quotes to report it (« il m'a écrit "…" ») is not what they say: a suspect
    // word or rule inside the quotation says nothing of the comment.
    if screener.patterns.reports(&plain) {
        findings.retain(|f| {
            f.severity == Severity::Banned
                || !screener.patterns.quoted(body, &f.matched)
                || f.category == Category::Privacy
        });
    }
    // What is quoted in a comment that reports it or talks about words (« "kahlouch" est une
    // insulte raciste », "calling migrants “cockroaches”", « كتب لي "…" ») is discussed, not
    // said: a word of the lists, banned or suspect, or the verb or predicate a rule found,
    // between quotation marks says nothing of the comment. Personal data stays what it is.
    // A report alone ("he wrote to me") keeps a banned word held, as above: only the rules'
    // findings inside its quotation go.
    let discusses = screener.patterns.discusses_words(&plain);
    if discusses || screener.patterns.reports(&plain) {
        findings.retain(|f| {
            let from_lists = LIST_LANGUAGES.iter().any(|l| f.source.starts_with(l));
            let from_rules = matches!(f.source.as_str(), "violence-call" | "threat" | "dehumanizing");
            let discussed = (discusses
                && from_lists
                && f.category != Category::Privacy
                && screener.patterns.quoted(body, &f.matched))
                || (from_rules && screener.patterns.quoted_end(body, &f.matched));
            !discussed
        });
    }
    // A court, an arrest, an accusation called one: crime words report justice at work, and
    // the list's suspect words of defamation say nothing more.
    if screener.patterns.justice_context(&plain) {
        // Even a word the lists ban as an accusation ("embezzled") reports a case here.
        for f in findings.iter_mut() {
            if LIST_LANGUAGES.contains(&f.source.as_str())
                && matches!(f.category, Category::Defamation | Category::Slander)
            {
                f.severity = Severity::Suspect;
            }
        }
        findings.retain(|f| {
            let from_lists = LIST_LANGUAGES.contains(&f.source.as_str());
            !(from_lists
                && matches!(f.category, Category::Defamation | Category::Slander)
                && f.severity == Severity::Suspect)
        });
    }
    // One finding per (category, matched text).
    findings.sort_by(|a, b| (a.category, a.matched.as_str()).cmp(&(b.category, b.matched.as_str())));
    findings.dedup_by(|a, b| a.category == b.category && a.matched == b.matched);
    let mut screening = decide(findings, &links);
    if screening.decision == Decision::Clean
        && let Some(verdict) = screener.classifier.judge(body)
        && verdict.score > classifier::hold_above(verdict.register)
    {
        // The model's opinion: a moderator looks, with the ground it finds likeliest.
        screening.findings.push(Finding {
            category: verdict.ground,
            severity: Severity::Suspect,
            matched: format!("{:.2}", verdict.score),
            source: format!("model:{}", verdict.register),
        });
        screening.decision = Decision::Hold;
        screening.reason = Some(verdict.ground);
    }
    if repeated {
        // A text posted again within a day is a flood, whatever it says; a refusal stays one.
        screening.findings.push(Finding {
            category: Category::Spam,
            severity: Severity::Suspect,
            matched: body.chars().take(60).collect(),
            source: "repeated".into(),
        });
        if matches!(screening.decision, Decision::Clean | Decision::Hold) {
            screening.decision = Decision::Spam;
            screening.reason = Some(Category::Spam);
        }
    }
    screening
}

/// What the links of a comment say: too many, disguised, shortened or messaging invitations,
/// one domain repeated.
fn link_findings(links: &links::Links, rules: &Rules) -> Vec<Finding> {
    let spam = |matched: String, source: &str| Finding {
        category: Category::Spam,
        severity: Severity::Suspect,
        matched,
        source: source.into(),
    };
    let mut found = Vec::new();
    if links.count() > rules.max_links {
        found.push(spam(format!("{} links", links.count()), "links"));
    }
    if let Some(disguise) = links.disguised.first() {
        found.push(spam(disguise.clone(), "disguised-link"));
    }
    if let Some(short) = links.shortened_or_messaging.first() {
        found.push(spam(short.clone(), "shortened-link"));
    }
    if let Some(referral) = links.referral.first() {
        found.push(spam(referral.clone(), "referral-link"));
    }
    if links.repeated_domain() {
        found.push(spam(links.domains[0].clone(), "repeated-domain"));
    }
    found
}

fn decide(mut findings: Vec<Finding>, links: &links::Links) -> Screening {
    let is_data = |f: &Finding| matches!(f.source.as_str(), "email" | "phone" | "address");
    // A phrase that announces someone's data ("son numéro", "your ID number") refuses only
    // when the data is there: a warning about scams names the same things.
    if !findings.iter().any(is_data) {
        for f in findings.iter_mut().filter(|f| f.category == Category::Privacy && f.severity == Severity::Banned) {
            f.severity = Severity::Suspect;
        }
    }
    let banned =
        Category::ALL.into_iter().find(|c| findings.iter().any(|f| f.category == *c && f.severity == Severity::Banned));
    if let Some(category) = banned {
        return Screening { decision: Decision::Refuse, reason: Some(category), findings };
    }
    let privacy_data = findings.iter().any(|f| f.category == Category::Privacy && is_data(f));
    let privacy_phrase = findings.iter().any(|f| f.category == Category::Privacy && !is_data(f));
    // Personal data introduced as someone's ("son numéro : 06...") is a clear violation.
    if privacy_data && privacy_phrase {
        return Screening { decision: Decision::Refuse, reason: Some(Category::Privacy), findings };
    }
    // Spam: advertising words with a link, or several of them; a disguised link, a shortener
    // or a messaging invitation with advertising words.
    let link_signals = findings
        .iter()
        .filter(|f| {
            matches!(f.source.as_str(), "disguised-link" | "shortened-link" | "referral-link" | "repeated-domain")
        })
        .count();
    let spam_phrases = findings
        .iter()
        .filter(|f| {
            f.category == Category::Spam
                && !f.source.contains("link")
                && !matches!(f.source.as_str(), "links" | "repetition" | "repeated-domain")
        })
        .count();
    if spam_phrases > 0 && (links.count() > 0 || spam_phrases > 1) || link_signals > 1 {
        return Screening { decision: Decision::Spam, reason: Some(Category::Spam), findings };
    }
    if findings.is_empty() {
        return Screening { decision: Decision::Clean, reason: None, findings };
    }
    let reason = Category::ALL.into_iter().find(|c| findings.iter().any(|f| f.category == *c));
    Screening { decision: Decision::Hold, reason, findings }
}

/// The written words where the entry's tokens occur in sequence.
fn find(haystack: &[Token], entry: &[String]) -> Option<String> {
    if entry.is_empty() || haystack.len() < entry.len() {
        return None;
    }
    haystack.windows(entry.len()).find(|w| w.iter().zip(entry).all(|(t, p)| &t.normal == p)).map(|w| {
        let mut written: Vec<&str> = w.iter().map(|t| t.written.as_str()).collect();
        written.dedup();
        written.join(" ")
    })
}

/// Links written as URLs or bare domains.
pub fn count_links(text: &str) -> usize {
    links::links_in(text).count()
}

/// Writing whose only purpose is to hide a word from a filter: a word mixing Latin letters with
/// Cyrillic or Greek ones ("Jеws" with a Cyrillic е), or a word spelled out letter by letter
/// ("c l o w n", « ه ب ي ل »). The normalization undoes both so that the lists and rules see
/// the word; this says that someone took the trouble, which a fair comment never needs to, so
/// the comment is held even when the hidden word is in no list.
fn evasion(body: &str, tokens: &[Token]) -> Option<Finding> {
    let is_latin = |c: char| c.is_ascii_alphabetic();
    // Greek (U+0370–03FF) and Cyrillic (U+0400–04FF), side by side.
    let is_lookalike_script = |c: char| matches!(u32::from(c), 0x0370..=0x04FF);
    let mixed =
        body.split_whitespace().find(|word| word.chars().any(is_latin) && word.chars().any(is_lookalike_script));
    let spelled_out = || tokens.iter().find(|t| t.spelled_out >= SPELLED_OUT_LETTERS).map(|t| t.normal.clone());
    let matched = mixed.map(str::to_string).or_else(spelled_out)?;
    Some(Finding { category: Category::Insult, severity: Severity::Suspect, matched, source: "evasion".into() })
}

/// Letters in a row, each standing alone, that make a word spelled out ("u s a" is three).
const SPELLED_OUT_LETTERS: usize = 4;

/// A comment made of the same few words or characters over and over.
fn shouting_or_flooding(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().collect();
    if words.len() >= 12 {
        let distinct: std::collections::HashSet<&str> = words.iter().copied().collect();
        if distinct.len() * 4 < words.len() {
            return true;
        }
    }
    // 12 or more of the same character in a row.
    let mut run = 0;
    let mut last = None;
    for c in body.chars() {
        if Some(c) == last && !c.is_whitespace() {
            run += 1;
            if run >= 12 {
                return true;
            }
        } else {
            run = 1;
        }
        last = Some(c);
    }
    false
}

#[cfg(test)]
mod tests;
