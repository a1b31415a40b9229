//! Rules over meaning, not single words: what a word list misses because no word of the
//! comment is bad alone.
//!
//! - a call to violence: a modality ("il faut", "someone should", « يجب », « خاصهم ») followed
//!   closely by a verb of harm;
//! - a threat: a first person and a future ("je vais", "I'll", « سأ… », « غادي ن… », "ghadi")
//!   followed closely by a verb of harm or by "you";
//! - dehumanizing: a group (a religion, an origin, a skin colour, a sexual orientation, a
//!   disability) close to a word that makes people a disease, vermin, a plague to cleanse;
//! - a crime stated as fact: a person (a title, a name) close to a crime, with no word that
//!   keeps the accusation an accusation ("présumé", "selon", "allegedly", « المتهم »).
//!
//! Each rule holds the comment for a moderator with its ground; none refuses. Quoting: a reader
//! reporting what was said to them (`reported`) lowers a refusal to a hold, never the reverse.
//!
//! The vocabulary of each register is in `patterns/*.toml`; all registers apply to every
//! comment, as the word lists do, since a comment may mix them.

use serde::Deserialize;

use super::normalize::Token;
use super::phrases::{Phrase, PhraseSet};
use super::{Category, Finding, Severity};

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Vocabulary {
    violence: Violence,
    threat: Threat,
    dehumanizing: Dehumanizing,
    accusation: Accusation,
    reporting: Reporting,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Violence {
    calls: Vec<String>,
    harms: Vec<String>,
    /// What a verb of harm may take without harming anyone: "tuer le match", "kill the
    /// project", « نقتل الفكرة ».
    idioms: Vec<String>,
    /// Calls to violence in the imperative, which need no modality: "brûlez", « احرقوا »,
    /// "smash their".
    imperatives: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Threat {
    /// A first person speaking of the future: "je vais", "I'll", "ghadi".
    future: Vec<String>,
    /// What a threat does: the harms of `violence` and these.
    harms: Vec<String>,
    /// Whole phrases that threaten by themselves ("je sais où tu habites").
    phrases: Vec<String>,
    /// Arabic-script prefixes of a first person future verb (« سأ », « سن »), glued to it.
    prefixes: Vec<String>,
    /// "You" as an object, as written: "te", "t'", "vous", "you", "your", « ليك ».
    you: Vec<String>,
    /// Arabic-script endings that make a verb's object "you" (« ك », « كم »).
    you_suffixes: Vec<String>,
    /// Verbs a first person may promise "you" without threatening: tell, answer, explain.
    benign: Vec<String>,
    /// "If I ever see you": a threat's condition.
    conditions: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Dehumanizing {
    /// Religions, origins, colours, orientations, disabilities (racism: origins and colours).
    groups: Vec<String>,
    origins: Vec<String>,
    predicates: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Accusation {
    persons: Vec<String>,
    crimes: Vec<String>,
    /// Justice at work, or an accusation kept an accusation: a court, an arrest, "alleged".
    hedges: Vec<String>,
    /// A rumour passed on: "word is", « كيقولو », "il paraît" (about a named person).
    rumours: Vec<String>,
    /// A rumour passed on in words that say it is one by themselves ("tout le monde sait
    /// que", « قال ليا بلي »): Arabic script has no capitals to tell a name.
    gossip: Vec<String>,
    /// Words before a name that make the next word a name ("Dr", « السي », "douar").
    name_titles: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
struct Reporting {
    phrases: Vec<String>,
    /// Words that talk about words ("insulte", "the word", « كلمة »): a slur between quotation
    /// marks in such a comment is discussed, not said.
    discussion: Vec<String>,
}

const VOCABULARIES: [(&str, &str); 5] = [
    ("fr", include_str!("patterns/fr.toml")),
    ("en", include_str!("patterns/en.toml")),
    ("ar", include_str!("patterns/ar.toml")),
    ("darija_ar", include_str!("patterns/darija_ar.toml")),
    ("darija_latin", include_str!("patterns/darija_latin.toml")),
];

/// Every register's vocabulary, compiled for matching.
#[derive(Clone, Debug, Default)]
pub struct Patterns {
    calls: PhraseSet,
    harms: PhraseSet,
    idioms: PhraseSet,
    imperatives: PhraseSet,
    future: PhraseSet,
    threat_harms: PhraseSet,
    threat_phrases: PhraseSet,
    prefixes: Vec<String>,
    you: Vec<String>,
    you_suffixes: Vec<String>,
    benign: Vec<String>,
    conditions: PhraseSet,
    groups: PhraseSet,
    origins: PhraseSet,
    predicates: PhraseSet,
    persons: PhraseSet,
    crimes: PhraseSet,
    hedges: PhraseSet,
    rumours: PhraseSet,
    gossip: PhraseSet,
    name_titles: PhraseSet,
    reporting: PhraseSet,
    discussion: PhraseSet,
}

/// Words and phrases matched whole.
fn compile(terms: &[String], keep_digits: bool) -> Vec<Phrase> {
    compile_with(terms, keep_digits, false, false)
}

/// Verbs, which Arabic and Darija glue to their affixes: one word may be found inside another
/// (« يحرقو », "n9tlk").
fn compile_verbs(terms: &[String], keep_digits: bool) -> Vec<Phrase> {
    compile_with(terms, keep_digits, false, true)
}

/// Titles before names (« السي », "Pr") are short by nature: kept whatever their length.
fn compile_titles(terms: &[String], keep_digits: bool) -> Vec<Phrase> {
    compile_with(terms, keep_digits, true, false)
}

fn compile_with(terms: &[String], keep_digits: bool, keep_short: bool, verbs: bool) -> Vec<Phrase> {
    terms
        .iter()
        .filter_map(|term| {
            let tokens: Vec<String> = super::normalize::tokens(&super::normalize::prepare(term), keep_digits)
                .into_iter()
                .map(|t| t.normal)
                .collect();
            // Darija in Latin script glues its affixes too ("y7r9o", "ghadi n9tlk"): a word
            // with a digit-letter is distinctive enough to be found inside another.
            let word = tokens.first().filter(|_| tokens.len() == 1);
            let inside = verbs
                && word.is_some_and(|w| {
                    (crate::news::text::is_arabic(w) && w.chars().count() >= 3)
                        || (keep_digits && w.chars().count() >= 3 && w.chars().any(|c| c.is_ascii_digit()))
                });
            // A one-word Arabic term stemmed to under three letters ("كلات" → "كل") would
            // match the commonest words.
            let too_short =
                !keep_short && word.is_some_and(|w| crate::news::text::is_arabic(w) && w.chars().count() < 3);
            (!tokens.is_empty() && !too_short).then_some(Phrase { tokens, inside })
        })
        .collect()
}

impl Patterns {
    /// The vocabularies that ship with Gazette, compiled once per process.
    pub fn shipped() -> std::sync::Arc<Patterns> {
        static SHIPPED: std::sync::OnceLock<std::sync::Arc<Patterns>> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| std::sync::Arc::new(Patterns::compile_shipped())).clone()
    }

    fn compile_shipped() -> Patterns {
        let mut patterns = Patterns::default();
        for (register, text) in VOCABULARIES {
            let vocabulary: Vocabulary = toml::from_str(text).unwrap_or_else(|e| {
                tracing::error!(register, error = %e, "a pattern vocabulary does not parse");
                Vocabulary::default()
            });
            let digits = register == "darija_latin";
            patterns.calls.extend(compile(&vocabulary.violence.calls, digits));
            patterns.harms.extend(compile_verbs(&vocabulary.violence.harms, digits));
            patterns.idioms.extend(compile(&vocabulary.violence.idioms, digits));
            patterns.imperatives.extend(compile(&vocabulary.violence.imperatives, digits));
            patterns.threat_harms.extend(compile_verbs(&vocabulary.violence.harms, digits));
            patterns.threat_harms.extend(compile_verbs(&vocabulary.threat.harms, digits));
            patterns.future.extend(compile(&vocabulary.threat.future, digits));
            patterns.threat_phrases.extend(compile(&vocabulary.threat.phrases, digits));
            patterns
                .prefixes
                .extend(vocabulary.threat.prefixes.iter().map(|p| crate::news::text::all_words(p).concat()));
            patterns.you.extend(vocabulary.threat.you.iter().map(|w| w.to_lowercase()));
            patterns
                .you_suffixes
                .extend(vocabulary.threat.you_suffixes.iter().map(|p| crate::news::text::all_words(p).concat()));
            patterns.benign.extend(
                vocabulary.threat.benign.iter().map(|w| crate::news::text::all_words(&w.to_lowercase()).concat()),
            );
            patterns.conditions.extend(compile(&vocabulary.threat.conditions, digits));
            patterns.groups.extend(compile(&vocabulary.dehumanizing.groups, digits));
            patterns.origins.extend(compile(&vocabulary.dehumanizing.origins, digits));
            patterns.predicates.extend(compile(&vocabulary.dehumanizing.predicates, digits));
            patterns.persons.extend(compile(&vocabulary.accusation.persons, digits));
            patterns.crimes.extend(compile_verbs(&vocabulary.accusation.crimes, digits));
            patterns.hedges.extend(compile(&vocabulary.accusation.hedges, digits));
            patterns.rumours.extend(compile(&vocabulary.accusation.rumours, digits));
            patterns.gossip.extend(compile(&vocabulary.accusation.gossip, digits));
            patterns.name_titles.extend(compile_titles(&vocabulary.accusation.name_titles, digits));
            patterns.reporting.extend(compile(&vocabulary.reporting.phrases, digits));
            patterns.discussion.extend(compile(&vocabulary.reporting.discussion, digits));
        }
        patterns
    }

    /// What the rules find in a comment's tokens (one normalization keeping digits, for
    /// Darija in Latin script, and one undoing them).
    pub fn find(&self, plain: &[Token], digits_kept: &[Token], written: &str) -> Vec<Finding> {
        let mut found = Vec::new();
        for tokens in [plain, digits_kept] {
            if let Some(matched) = self.violence_call(tokens) {
                found.push(rule(Category::Incitement, matched, "violence-call"));
            }
            if let Some(matched) = self.threat(tokens) {
                found.push(rule(Category::Threat, matched, "threat"));
            }
            if let Some((category, matched)) = self.dehumanizing(tokens) {
                found.push(rule(category, matched, "dehumanizing"));
            }
            if let Some(matched) = self.crime_as_fact(tokens, written) {
                found.push(rule(Category::Defamation, matched, "crime-as-fact"));
            }
            if let Some(matched) = self.rumour(tokens, written) {
                found.push(rule(Category::Slander, matched, "rumour"));
            }
        }
        found
    }

    /// A reader reports what was said or written to them, or quotes it.
    pub fn reported(&self, tokens: &[Token], written: &str, matched: &str) -> bool {
        self.quoted(written, matched) || self.quoted_end(written, matched) || self.reports(tokens)
    }

    /// The comment says someone said or wrote something ("m'a écrit", "called me", « قال ليا »).
    pub fn reports(&self, tokens: &[Token]) -> bool {
        self.reporting.any(tokens)
    }

    /// The comment talks about words: what an insult is, what a slur does.
    pub fn discusses_words(&self, tokens: &[Token]) -> bool {
        self.discussion.any(tokens)
    }

    /// The last word of what a rule matched (its verb of harm, its predicate) stands between
    /// quotation marks: « il a traité les migrants de "criquets" ».
    pub fn quoted_end(&self, written: &str, matched: &str) -> bool {
        matched.split_whitespace().last().is_some_and(|word| self.quoted(written, word))
    }

    /// `matched` stands between quotation marks.
    pub fn quoted(&self, written: &str, matched: &str) -> bool {
        let matched = matched.trim_matches(|c: char| !c.is_alphanumeric());
        !matched.is_empty() && quoted_spans(written).iter().any(|span| span.contains(matched))
    }

    /// Justice at work or an accusation kept one: a court, an arrest, "alleged".
    pub fn justice_context(&self, tokens: &[Token]) -> bool {
        self.hedges.any(tokens)
    }

    /// A word that is a name here: written with a capital inside a sentence, or after a title
    /// (« السي بوزبال », "Pr Conard", "douar Lahmara").
    pub fn is_name(&self, tokens: &[Token], written: &str, matched: &str) -> bool {
        let matched = matched.trim_matches(|c: char| !c.is_alphanumeric());
        if matched.contains(char::is_whitespace) || matched.is_empty() {
            return false;
        }
        let capitalised = written.split_whitespace().enumerate().any(|(i, w)| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            let mut chars = w.chars();
            i > 0
                && w.eq_ignore_ascii_case(matched)
                && chars.next().is_some_and(char::is_uppercase)
                && chars.any(char::is_lowercase)
        });
        if capitalised {
            return true;
        }
        // A title just before, or before a first name: « السي حميد بوزبال ».
        let titles = self.name_titles.positions(tokens);
        tokens
            .iter()
            .enumerate()
            .any(|(i, t)| t.written.contains(matched) && titles.iter().any(|(_, end)| *end == i || *end + 1 == i))
    }

    /// A verb of harm used of a thing: "tuer le match", « نقتل فكرة الملعب ».
    pub fn idiomatic(&self, tokens: &[Token], matched: &str) -> bool {
        let last = matched.split_whitespace().last().unwrap_or("");
        tokens
            .iter()
            .enumerate()
            .any(|(i, t)| !last.is_empty() && t.written == last && self.idioms.starts_within(tokens, i + 1, i + 2))
    }

    fn violence_call(&self, tokens: &[Token]) -> Option<String> {
        if let Some((start, end)) =
            self.imperatives.positions(tokens).into_iter().find(|(_, e)| !self.idioms.starts_within(tokens, *e, e + 1))
        {
            return Some(written_of(tokens, start, end));
        }
        let seconds = self.harms.positions(tokens);
        self.calls.positions(tokens).into_iter().find_map(|(start, end)| {
            seconds
                .iter()
                .filter(|(s, _)| *s >= end && *s <= end + 14)
                // "tuer le match", "kill this project": a verb of harm whose object is a thing.
                .find(|(_, e)| !self.idioms.starts_within(tokens, *e, e + 1))
                .map(|(_, second_end)| written_of(tokens, start, *second_end))
        })
    }

    fn rumour(&self, tokens: &[Token], written: &str) -> Option<String> {
        if let Some((start, end)) = self.gossip.first(tokens) {
            return Some(written_of(tokens, start, end));
        }
        let (start, end) = self.rumours.first(tokens)?;
        let titled = self.persons.any(tokens);
        (titled || named_person(written)).then(|| written_of(tokens, start, end))
    }

    fn threat(&self, tokens: &[Token]) -> Option<String> {
        if let Some(hit) = self.threat_phrases.first(tokens) {
            return Some(written_of(tokens, hit.0, hit.1));
        }
        let harms: Vec<(usize, usize)> = self
            .threat_harms
            .positions(tokens)
            .into_iter()
            .filter(|(s, e)| !self.of_someone_else(tokens, *s, *e))
            .collect();
        for (start, end) in self.future.positions(tokens) {
            if let Some((_, harm_end)) = harms.iter().find(|(s, _)| *s >= end && *s <= end + 4) {
                return Some(written_of(tokens, start, *harm_end));
            }
        }
        if let Some(hit) = self.conditions.first(tokens) {
            return Some(written_of(tokens, hit.0, hit.1));
        }
        if let Some(matched) = self.promise_to_you(tokens) {
            return Some(matched);
        }
        // « سأقتلك », « نذبحك »: the first person glued to a verb of harm; to a verb of a
        // threat ("wait for", "visit") only when "you" is glued to it too (« سأنتظرك »).
        for token in tokens {
            let written = crate::news::text::all_words(&token.written).concat();
            for prefix in &self.prefixes {
                let Some(rest) = written.strip_prefix(prefix.as_str()) else { continue };
                let to_you = ["ك", "كم", "كي"].iter().any(|you| rest.ends_with(you));
                let harm = |phrases: &PhraseSet| phrases.inside_stems().any(|stem| rest.contains(stem));
                if harm(&self.harms) || (to_you && harm(&self.threat_harms)) {
                    return Some(token.written.clone());
                }
            }
        }
        None
    }

    /// A verb of harm found inside a word whose subject is not the writer and whose object is
    /// not "you": « غادي تقتل الحوانت » (it will kill the shops), "ghadi ydb7 les commerçants".
    /// Darija marks the first person with n- and the others with t- and y-.
    fn of_someone_else(&self, tokens: &[Token], start: usize, end: usize) -> bool {
        if end != start + 1 || self.threat_harms.has_whole(&tokens[start].normal) {
            return false;
        }
        let word = crate::news::text::all_words(&tokens[start].written).concat();
        let arabic = crate::news::text::is_arabic(&word);
        let other_subject = if arabic { word.starts_with(['ت', 'ي']) } else { word.starts_with(['t', 'y']) };
        let to_you = if arabic {
            self.you_suffixes.iter().any(|y| word.ends_with(y.as_str()))
        } else {
            word.ends_with('k') || word.ends_with("kom") || word.ends_with("kum")
        };
        other_subject && !to_you
    }

    /// A first person promising "you" something that is not a word or a help: "je vais te
    /// faire regretter", "I'm going to make you pay", « غادي نوريك », « سأجعلك ». A comment
    /// addresses its reader or a public figure; what one promises them in the future is rarely
    /// kind, except answers and explanations, which `benign` lists.
    fn promise_to_you(&self, tokens: &[Token]) -> Option<String> {
        let lower: Vec<String> = tokens.iter().map(|t| t.written.to_lowercase()).collect();
        let is_benign = |word: &str| {
            let word = crate::news::text::all_words(word).concat();
            self.benign.iter().any(|b| !b.is_empty() && word.contains(b.as_str()))
        };
        for (start, end) in self.future.positions(tokens) {
            // "je vais te faire …", "I'll make you …": "you" within three words, its verb
            // (the word before "you", or after a French pronoun) not a benign one.
            for k in end..(end + 3).min(tokens.len()) {
                let word = lower[k].trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
                let french_object = word.starts_with("t'") || word == "te" || word == "vous" || word == "toi";
                let you =
                    self.you.iter().any(|y| word == y.as_str() || (y.ends_with('\'') && word.starts_with(y.as_str())));
                if !you && !french_object {
                    continue;
                }
                let verb = if french_object {
                    match word.strip_prefix("t'") {
                        Some(verb) => verb,
                        None => lower.get(k + 1).map(String::as_str).unwrap_or(""),
                    }
                } else {
                    lower.get(k.saturating_sub(1)).map(String::as_str).unwrap_or("")
                };
                if !verb.is_empty() && !is_benign(verb) {
                    return Some(written_of(tokens, start, k + 1));
                }
            }
            // Arabic script: the verb after the marker carries "you" at its end (« غادي نوريك »).
            if let Some(next) = tokens.get(end) {
                let word = crate::news::text::all_words(&next.written).concat();
                let to_you = self
                    .you_suffixes
                    .iter()
                    .any(|y| word.ends_with(y.as_str()) && word.chars().count() > y.chars().count() + 2);
                if crate::news::text::is_arabic(&word) && to_you && !is_benign(&word) {
                    return Some(written_of(tokens, start, end + 1));
                }
            }
        }
        // « سأجعلك »: the future glued to a verb that carries "you".
        for token in tokens {
            let word = crate::news::text::all_words(&token.written).concat();
            let future = self.prefixes.iter().filter(|p| p.chars().count() >= 2).any(|p| word.starts_with(p.as_str()));
            let to_you = self.you_suffixes.iter().any(|y| word.ends_with(y.as_str()));
            if future && to_you && word.chars().count() >= 5 && !is_benign(&word) {
                return Some(token.written.clone());
            }
        }
        None
    }

    fn dehumanizing(&self, tokens: &[Token]) -> Option<(Category, String)> {
        if let Some(matched) = near_either_way(tokens, &self.origins, &self.predicates, 6) {
            return Some((Category::Racism, matched));
        }
        near_either_way(tokens, &self.groups, &self.predicates, 6).map(|m| (Category::Hate, m))
    }

    fn crime_as_fact(&self, tokens: &[Token], written: &str) -> Option<String> {
        if self.justice_context(tokens) || self.rumours.any(tokens) {
            return None;
        }
        let crime = self.crimes.first(tokens)?;
        // A title before the crime ("le maire", « الوزير »), or a name: a capitalised word that
        // does not start a sentence.
        let window = crime.0.saturating_sub(8);
        let titled = self.persons.within(tokens, window, crime.0);
        let named = named_person(written);
        (titled || named).then(|| written_of(tokens, crime.0, crime.1))
    }
}

fn rule(category: Category, matched: String, source: &str) -> Finding {
    Finding { category, severity: Severity::Suspect, matched, source: source.into() }
}

/// A phrase of `first` and one of `second` within `window` tokens, in either order.
fn near_either_way(tokens: &[Token], first: &PhraseSet, second: &PhraseSet, window: usize) -> Option<String> {
    let seconds = second.positions(tokens);
    first.positions(tokens).into_iter().find_map(|(start, end)| {
        seconds
            .iter()
            .find(|(s, e)| (*s >= end && *s <= end + window) || (*e <= start && *e + window >= start))
            .map(|(s, e)| written_of(tokens, start.min(*s), end.max(*e)))
    })
}

fn written_of(tokens: &[Token], start: usize, end: usize) -> String {
    let mut words: Vec<&str> = tokens[start..end.min(tokens.len())].iter().map(|t| t.written.as_str()).collect();
    words.dedup();
    words.join(" ")
}

/// The spans of text between quotation marks: « … », “ … ”, " … ", ‘ … ’.
fn quoted_spans(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    for (open, close) in [('«', '»'), ('“', '”'), ('"', '"'), ('‘', '’'), ('„', '“'), ('\'', '\'')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            spans.push(&after[..end]);
            rest = &after[end + close.len_utf8()..];
        }
    }
    spans
}

/// A person's name: two capitalised words in a row ("Karim Bennani", "M. Alaoui"), the first
/// not a word that opens sentences ("Le Maroc", "The Court").
fn named_person(text: &str) -> bool {
    const OPENERS: &[&str] = &[
        "le", "la", "les", "l", "un", "une", "des", "du", "de", "au", "aux", "en", "ce", "cette", "ces", "mais", "et",
        "il", "elle", "ils", "on", "si", "quand", "pour", "avec", "dans", "sur", "par", "the", "a", "an", "this",
        "that", "in", "on", "at", "for", "and", "but", "if", "when", "our", "my", "their", "his", "her", "dear",
        "bravo", "merci", "thanks",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).any(|w| {
        let clean = |s: &str| s.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
        let capital = |s: &str| {
            let mut chars = s.chars();
            chars.next().is_some_and(|c| c.is_uppercase()) && chars.all(|c| c.is_lowercase() || c == '-' || c == '\'')
        };
        let (first, second) = (clean(w[0]), clean(w[1]));
        let title = matches!(first.as_str(), "M" | "Mme" | "Mr" | "Mrs" | "Ms" | "Dr" | "Si" | "Lalla" | "Moulay");
        (capital(&first) || title)
            && !OPENERS.contains(&first.to_lowercase().as_str())
            && !w[0].ends_with([',', ';', ':'])
            && capital(&second)
            && second.chars().count() > 2
    })
}
