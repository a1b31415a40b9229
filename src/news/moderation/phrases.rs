//! Sets of phrases found in a comment's tokens by their first word.
//!
//! A vocabulary holds hundreds of phrases and a comment a few dozen words: a set is indexed by
//! each phrase's first normalized word, so finding its phrases costs one lookup per word of the
//! comment, whatever the vocabulary's size. Phrases that may sit inside a longer word (an
//! Arabic stem, a Darija verb with its digit-letters) are few and are scanned apart.

use std::collections::HashMap;

use super::normalize::Token;

/// A phrase as normalized tokens; for one Arabic-script word, a stem that may sit inside a
/// longer word (Arabic glues conjunctions, pronouns and tense marks to its verbs).
#[derive(Clone, Debug)]
pub struct Phrase {
    pub tokens: Vec<String>,
    pub inside: bool,
}

/// A vocabulary's phrases, indexed for matching.
#[derive(Clone, Debug, Default)]
pub struct PhraseSet {
    phrases: Vec<Phrase>,
    /// Whole phrases by their first word: indices into `phrases`.
    by_first: HashMap<String, Vec<usize>, foldhash::fast::RandomState>,
    /// Phrases found inside a word: indices into `phrases`.
    inside: Vec<usize>,
}

impl PhraseSet {
    pub fn extend(&mut self, phrases: impl IntoIterator<Item = Phrase>) {
        for phrase in phrases {
            let index = self.phrases.len();
            if phrase.inside {
                self.inside.push(index);
            } else if let Some(first) = phrase.tokens.first() {
                self.by_first.entry(first.clone()).or_default().push(index);
            } else {
                continue;
            }
            self.phrases.push(phrase);
        }
    }

    /// The stems found inside words, for the rules that read a word's affixes themselves.
    pub fn inside_stems(&self) -> impl Iterator<Item = &str> {
        self.inside.iter().map(|i| self.phrases[*i].tokens[0].as_str())
    }

    /// Whether a one-word phrase of the set is this word, whole.
    pub fn has_whole(&self, word: &str) -> bool {
        self.by_first.get(word).is_some_and(|candidates| candidates.iter().any(|i| self.phrases[*i].tokens.len() == 1))
    }

    /// Every occurrence of any phrase as (start, end) token indices, in the comment's order.
    pub fn positions(&self, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (start, token) in tokens.iter().enumerate() {
            if let Some(candidates) = self.by_first.get(token.normal.as_str()) {
                for phrase in candidates.iter().map(|i| &self.phrases[*i]) {
                    let end = start + phrase.tokens.len();
                    if end <= tokens.len()
                        && tokens[start + 1..end].iter().zip(&phrase.tokens[1..]).all(|(t, p)| &t.normal == p)
                    {
                        out.push((start, end));
                    }
                }
            }
            if self.inside.iter().any(|i| token.normal.contains(self.phrases[*i].tokens[0].as_str())) {
                out.push((start, start + 1));
            }
        }
        out.dedup();
        out
    }

    /// The first occurrence of any phrase.
    pub fn first(&self, tokens: &[Token]) -> Option<(usize, usize)> {
        self.positions(tokens).into_iter().next()
    }

    /// Whether any phrase occurs.
    pub fn any(&self, tokens: &[Token]) -> bool {
        self.first(tokens).is_some()
    }

    /// Whether a phrase starts at a token index in `from..=to`.
    pub fn starts_within(&self, tokens: &[Token], from: usize, to: usize) -> bool {
        self.positions(tokens).iter().any(|(start, _)| (from..=to).contains(start))
    }

    /// Whether a phrase lies wholly within the tokens `from..to`.
    pub fn within(&self, tokens: &[Token], from: usize, to: usize) -> bool {
        self.positions(tokens).iter().any(|(start, end)| *start >= from && *end <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token> {
        text.split_whitespace().map(|w| Token { written: w.into(), normal: w.into(), ..Token::default() }).collect()
    }

    fn set(phrases: &[(&str, bool)]) -> PhraseSet {
        let mut set = PhraseSet::default();
        set.extend(
            phrases.iter().map(|(p, inside)| Phrase {
                tokens: p.split_whitespace().map(String::from).collect(),
                inside: *inside,
            }),
        );
        set
    }

    #[test]
    fn whole_phrases_are_found_where_they_start_and_stems_inside_words() {
        let set = set(&[("il faut", false), ("faut", false), ("قتل", true)]);
        let text = tokens("il faut les يقتلوهم il faut");
        assert_eq!(set.positions(&text), vec![(0, 2), (1, 2), (3, 4), (4, 6), (5, 6)]);
        assert!(set.starts_within(&text, 3, 3));
        assert!(!set.starts_within(&text, 2, 2));
        assert!(set.within(&text, 0, 2));
        assert!(set.within(&text, 2, 4));
        assert!(!set.within(&text, 2, 3));
        assert!(set.has_whole("faut") && !set.has_whole("il") && !set.has_whole("قتل"));
        // A phrase cut by the end of the comment is not there.
        assert!(!set.any(&tokens("il")));
        assert_eq!(set.first(&tokens("rien")), None);
    }
}
