//! Interface strings in French, Arabic and English, from `locales/*.toml` (embedded).
//!
//! A key maps to a string, or to a table of CLDR plural forms (`zero`, `one`, `two`, `few`,
//! `many`, `other`) for strings with a count; `{name}` placeholders are filled from arguments.
//! Arabic needs all six forms, which is why the rule below is written out rather than guessed.
//! A key missing in a language falls back to French, then to the key itself, so a missing
//! translation shows as a visible key in tests rather than as nothing.

use std::collections::HashMap;

use crate::news::Lang;

#[derive(Debug)]
enum Entry {
    Text(String),
    Plural(HashMap<String, String>),
}

/// Every language's strings.
#[derive(Debug)]
pub struct Catalog {
    langs: HashMap<Lang, HashMap<String, Entry>>,
}

const SOURCES: [(Lang, &str); 3] = [
    (Lang::Fr, include_str!("../locales/fr.toml")),
    (Lang::Ar, include_str!("../locales/ar.toml")),
    (Lang::En, include_str!("../locales/en.toml")),
];

impl Catalog {
    /// Parses the embedded files. A broken file is a build mistake, caught by the tests.
    pub fn load() -> Result<Catalog, String> {
        let mut langs = HashMap::new();
        for (lang, text) in SOURCES {
            let table: toml::Table = text.parse().map_err(|e| format!("locales/{}.toml: {e}", lang.code()))?;
            let mut entries = HashMap::new();
            flatten("", &table, &mut entries);
            langs.insert(lang, entries);
        }
        Ok(Catalog { langs })
    }

    /// The string for `key` in `lang`, with `{name}` placeholders filled from `args`.
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let raw = match self.lookup(lang, key) {
            Some(Entry::Text(text)) => text.as_str(),
            Some(Entry::Plural(forms)) => forms.get("other").map(String::as_str).unwrap_or(key),
            None => key,
        };
        fill(raw, args)
    }

    /// The plural form of `key` for `count`; `{n}` is the count written with `digits`.
    pub fn plural(&self, lang: Lang, key: &str, count: i64, n: &str, args: &[(&str, &str)]) -> String {
        let raw = match self.lookup(lang, key) {
            Some(Entry::Plural(forms)) => {
                let category = plural_category(lang, count);
                forms.get(category).or_else(|| forms.get("other")).map(String::as_str).unwrap_or(key)
            }
            Some(Entry::Text(text)) => text.as_str(),
            None => key,
        };
        let mut all: Vec<(&str, &str)> = vec![("n", n)];
        all.extend_from_slice(args);
        fill(raw, &all)
    }

    /// True when `key` exists in `lang` itself (not through the French fallback).
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.langs.get(&lang).is_some_and(|m| m.contains_key(key))
    }

    /// Every key of a language, for the test that checks all languages have the same keys.
    pub fn keys(&self, lang: Lang) -> Vec<String> {
        let mut keys: Vec<String> = self.langs.get(&lang).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        keys.sort();
        keys
    }

    fn lookup(&self, lang: Lang, key: &str) -> Option<&Entry> {
        self.langs.get(&lang).and_then(|m| m.get(key)).or_else(|| self.langs.get(&Lang::Fr).and_then(|m| m.get(key)))
    }
}

const PLURAL_FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, Entry>) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            toml::Value::String(s) => {
                out.insert(full, Entry::Text(s.clone()));
            }
            toml::Value::Table(inner) if inner.keys().all(|k| PLURAL_FORMS.contains(&k.as_str())) => {
                let forms = inner.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect();
                out.insert(full, Entry::Plural(forms));
            }
            toml::Value::Table(inner) => flatten(&full, inner, out),
            _ => {}
        }
    }
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The CLDR plural category of an integer count.
pub fn plural_category(lang: Lang, n: i64) -> &'static str {
    let n = n.unsigned_abs();
    match lang {
        // French: 0 and 1 are singular.
        Lang::Fr => {
            if n <= 1 {
                "one"
            } else {
                "other"
            }
        }
        Lang::En => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
        Lang::Ar => match (n, n % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_has_six_plural_categories() {
        let got: Vec<&str> = [0, 1, 2, 5, 11, 100, 103, 518].iter().map(|n| plural_category(Lang::Ar, *n)).collect();
        assert_eq!(got, ["zero", "one", "two", "few", "many", "other", "few", "many"]);
        assert_eq!(plural_category(Lang::Fr, 0), "one");
        assert_eq!(plural_category(Lang::En, 0), "other");
    }

    #[test]
    fn every_language_has_every_french_key() {
        let catalog = Catalog::load().unwrap();
        let french = catalog.keys(Lang::Fr);
        assert!(!french.is_empty());
        for lang in [Lang::Ar, Lang::En] {
            let missing: Vec<&String> = french.iter().filter(|k| !catalog.has(lang, k)).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert_eq!(catalog.keys(lang).len(), french.len(), "{lang:?} has keys French lacks");
        }
    }

    #[test]
    fn read_counter_reads_naturally() {
        let catalog = Catalog::load().unwrap();
        assert_eq!(catalog.plural(Lang::Fr, "article.reads", 518, "518", &[]), "Lu 518 fois");
        assert_eq!(catalog.plural(Lang::En, "article.reads", 1, "1", &[]), "Read once");
        assert_eq!(catalog.plural(Lang::Ar, "article.reads", 518, "518", &[]), "قرئ 518 مرة");
    }
}
