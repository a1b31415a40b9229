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
    let present: std::collections::HashSet<&str> =
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
    findings.extend(evasion(body));
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
fn evasion(body: &str) -> Option<Finding> {
    let is_latin = |c: char| c.is_ascii_alphabetic();
    // Greek (U+0370–03FF) and Cyrillic (U+0400–04FF), side by side.
    let is_lookalike_script = |c: char| matches!(u32::from(c), 0x0370..=0x04FF);
    let mixed =
        body.split_whitespace().find(|word| word.chars().any(is_latin) && word.chars().any(is_lookalike_script));
    let spelled_out = || {
        let mut run: Vec<&str> = Vec::new();
        for piece in body.split(|c: char| c.is_whitespace() || c == '.' || c == '*' || c == '-' || c == '_') {
            if piece.is_empty() {
                continue;
            }
            let mut chars = piece.chars();
            if chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none() {
                run.push(piece);
                if run.len() >= SPELLED_OUT_LETTERS {
                    return Some(run.concat());
                }
            } else {
                run.clear();
            }
        }
        None
    };
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
mod tests {
    use super::*;

    fn lists() -> CompiledLists {
        let mut lists = PolicyLists::new();
        let mut fr = LanguageLists::default();
        fr.insult.banned = vec!["connard".into(), "idiot".into()];
        fr.threat.banned = vec!["je vais te tuer".into()];
        fr.defamation.suspect = vec!["a détourné".into()];
        fr.privacy.suspect = vec!["son numéro".into()];
        fr.spam.phrases = vec!["gagnez de l'argent".into()];
        lists.insert("fr".into(), fr);
        let mut ar = LanguageLists::default();
        ar.insult.banned = vec!["حمار".into()];
        lists.insert("ar".into(), ar);
        let mut darija = LanguageLists::default();
        darija.insult.banned = vec!["7mar".into()];
        lists.insert("darija_latin".into(), darija);
        CompiledLists::compile(&lists)
    }

    fn decision(body: &str) -> (Decision, Option<Category>) {
        let s = screen(&Submission::new("Lecteur", body, ""), &lists(), &Rules::default());
        (s.decision, s.reason)
    }

    #[test]
    fn banned_terms_refuse_through_evasions() {
        for body in [
            "Quel connard ce type",
            "Quel CONNARD",
            "quel connnnnard",
            "quel c.o.n.n.a.r.d",
            "quel c0nn@rd",
            "un 1d10t de plus",
            "i-d-i-o-t",
            "هذا حمار",
            "هذا الحمار",
            "هذا حِمَار",
            "هذا حـــمار",
            "هذا حمااار",
            "هذا ح م ا ر",
            "nta 7mar",
            "nta 7maaar",
        ] {
            assert_eq!(decision(body), (Decision::Refuse, Some(Category::Insult)), "{body}");
        }
        assert_eq!(decision("Je vais te tuer demain").1, Some(Category::Threat), "threat first");
    }

    #[test]
    fn innocent_words_pass() {
        for body in [
            "Le conseil municipal a voté le budget",
            "Une idée intéressante, merci pour cet article",
            "En 2021, 7 000 personnes ont visité le musée",
            "الحمام التقليدي جزء من تراث المدينة",
        ] {
            assert_eq!(decision(body).0, Decision::Clean, "{body}");
        }
    }

    #[test]
    fn suspect_terms_and_personal_data_hold() {
        assert_eq!(decision("Le maire a détourné les fonds"), (Decision::Hold, Some(Category::Defamation)));
        assert_eq!(decision("Appelez-le au 06 12 34 56 78").0, Decision::Hold);
        assert_eq!(decision("écrivez à karim.b@example.ma").0, Decision::Hold);
        assert_eq!(decision("il habite au 12 rue Ibn Batouta").0, Decision::Hold);
        assert_eq!(decision("son numéro : 06.12.34.56.78").0, Decision::Refuse, "personal data announced as someone's");
        assert_eq!(decision("رقمه ٠٦١٢٣٤٥٦٧٨").0, Decision::Hold, "Eastern digits");
    }

    #[test]
    fn spam_is_recognised() {
        assert_eq!(decision("Gagnez de l'argent sur http://x.example.com").0, Decision::Spam);
        assert_eq!(decision("voir http://a.example.com http://b.example.com http://c.example.com").0, Decision::Hold);
        assert_eq!(decision(&"top ".repeat(20)).0, Decision::Hold);
    }

    #[test]
    fn a_repeated_text_is_spam_but_a_refusal_stays_one() {
        let lists = lists();
        let repeated = |body| Submission { repeated: true, ..Submission::new("Lecteur", body, "") };
        let flood = screen(&repeated("Merci pour cet article"), &lists, &Rules::default());
        assert_eq!((flood.decision, flood.reason), (Decision::Spam, Some(Category::Spam)));
        assert!(flood.findings.iter().any(|f| f.source == "repeated"));
        let insult = screen(&repeated("Quel connard"), &lists, &Rules::default());
        assert_eq!(insult.decision, Decision::Refuse);
    }

    #[test]
    fn default_lists_parse() {
        let lists = default_lists();
        assert_eq!(lists.len(), 5);
        for (lang, l) in &lists {
            assert!(!l.insult.banned.is_empty(), "{lang} has insults");
            assert!(!l.threat.banned.is_empty() || !l.threat.suspect.is_empty(), "{lang} has threats");
        }
    }

    /// The shipped screening (lists, patterns, classifier), as a reader's comment meets it.
    fn shipped(body: &str) -> Screening {
        static SCREENER: std::sync::OnceLock<Screener> = std::sync::OnceLock::new();
        SCREENER.get_or_init(Screener::shipped).screen_text("Lecteur", body)
    }

    #[test]
    fn every_evasion_class_is_undone_before_the_rules() {
        for (class, body) in [
            ("look-alike letters", "Quel cоnnаrd ce type"),
            ("look-alike letters, Greek", "un vrai ιdιοt"),
            ("spaced letters", "quel c o n n a r d"),
            ("dotted letters", "quel c.o.n.n.a.r.d"),
            ("digits and symbols", "quel c0nn@rd"),
            ("repeated letters", "quel connnnnnnnard"),
            ("tatweel", "انت حـــــمار"),
            ("harakat", "انت حِمَار"),
            ("Persian letters", "یا حمار"),
        ] {
            assert_eq!(shipped(body).decision, Decision::Refuse, "{class}: {body}");
        }
        for (class, body) in [
            ("phone in words", "son numéro : zéro six douze trente-quatre cinquante-six soixante-dix-huit"),
            ("phone in odd groups", "appelez-le au 06 - 61 - 23 45 67"),
            ("phone in Arabic words", "رقمه صفر ستة واحد اثنين ثلاثة أربعة خمسة ستة سبعة ثمانية"),
        ] {
            let screening = shipped(body);
            assert!(screening.findings.iter().any(|f| f.source == "phone"), "{class}: {body} {screening:?}");
            assert_ne!(screening.decision, Decision::Clean, "{class}");
        }
        for (class, body) in [
            ("spaced link", "gagnez 500 dh par jour sur w w w . gains-faciles . com"),
            ("hxxp", "promo sur hxxp://gains.example.com"),
            ("bracketed dot", "inscris-toi sur gains[.]com"),
            ("messaging link", "rejoignez t.me/gainsfaciles"),
        ] {
            let screening = shipped(body);
            assert!(screening.findings.iter().any(|f| f.source.contains("link")), "{class}: {body} {screening:?}");
        }
    }

    #[test]
    fn meaning_without_a_listed_word_is_held() {
        for (class, body) in [
            ("a call to violence", "Il faudrait que quelqu'un aille brûler la maison de ce maire."),
            ("a call to violence, English", "Someone should torch his office tonight."),
            ("a threat in the future", "Je vais te retrouver à la sortie et tu vas le regretter."),
            ("a threat, English", "I'm going to find you and make you pay."),
            ("a threat, Darija", "غادي نوريك آش كيوقع"),
            ("dehumanizing", "Ces migrants sont une maladie, il faut nettoyer la ville."),
        ] {
            assert_ne!(shipped(body).decision, Decision::Clean, "{class}: {body}");
        }
    }

    #[test]
    fn a_slur_discussed_between_quotation_marks_is_not_held_for_itself() {
        for body in [
            "Les gamins répètent « pédé » dans la cour comme si c'était un mot anodin ; c'est une insulte, point.",
            "Using “retarded” as a joke is a slur against my brother, please stop.",
        ] {
            let screening = shipped(body);
            assert_ne!(screening.decision, Decision::Refuse, "{body}");
            let from_lists =
                screening.findings.iter().filter(|f| LIST_LANGUAGES.iter().any(|l| f.source.starts_with(l)));
            assert_eq!(from_lists.count(), 0, "{body}: {screening:?}");
        }
        // Said, not discussed: the same word is refused.
        assert_eq!(shipped("Ferme-la, espèce de pédé.").decision, Decision::Refuse);
    }

    #[test]
    fn hiding_a_word_is_held_even_when_the_word_is_in_no_list() {
        for body in ["Tous ces gеns sоnt pareils", "what a w a l l y of a minister", "هاد الناس ك ل ه م هكا"]
        {
            let screening = shipped(body);
            assert!(screening.findings.iter().any(|f| f.source == "evasion"), "{body}: {screening:?}");
            assert_ne!(screening.decision, Decision::Clean, "{body}");
        }
        for body in [
            "Le plan B du club, puis le C, et la loi 31.13 du Maroc",
            "Привет Casablanca ! Bonjour à nos lecteurs russes.",
        ] {
            assert!(!shipped(body).findings.iter().any(|f| f.source == "evasion"), "{body}");
        }
    }

    #[test]
    fn a_reported_call_to_violence_is_not_a_call() {
        let body = "Sous la vidéo, un compte a écrit « il faut brûler sa maison ». J'ai porté plainte.";
        let screening = shipped(body);
        assert!(!screening.findings.iter().any(|f| f.source == "violence-call"), "{screening:?}");
        let said = shipped("Il faut brûler sa maison, ce soir.");
        assert!(said.findings.iter().any(|f| f.source == "violence-call"), "{said:?}");
    }

    #[test]
    fn fair_comments_are_not_refused() {
        for (class, body) in [
            ("a reported threat", "Un compte anonyme m'a écrit « je vais te tuer », j'ai porté plainte."),
            ("a reported insult", "He called me a “dirty monkey” in front of my kids, I reported him."),
            ("an official link", "Le rapport complet est sur https://www.sante.gov.ma/rapport-2025"),
            ("numbers", "En 2025, l'indicatif 212 et le dossier 2023/1456/12 ont coûté 1 200 000 dirhams."),
            ("a literal animal", "Les ânes de la médina portent encore les bouteilles de gaz dans les ruelles."),
            ("a surname", "Le professeur Idriss Conard a dirigé l'étude sur la nappe phréatique."),
            ("an idiom", "Il faut tuer le match plus tôt, à 2-0 on a reculé."),
            ("court news", "Le tribunal a condamné l'ancien maire pour détournement de fonds."),
        ] {
            assert_ne!(shipped(body).decision, Decision::Refuse, "{class}: {body}");
        }
        for body in
            ["Le rapport complet est sur https://www.sante.gov.ma/rapport-2025", "Il faut tuer le match plus tôt !"]
        {
            assert_eq!(shipped(body).decision, Decision::Clean, "{body}");
        }
    }
}
