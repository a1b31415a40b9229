//! Links in a comment, judged by what they are rather than by the presence of `http`: one link
//! to a ministry or a court is a reader citing a source; shorteners, messaging invitations,
//! the same domain again and again, or a link written so that filters miss it
//! (`w w w . x . com`, `hxxp://`, `site[.]com`, `exemple dot com`) are how spam looks.

use super::normalize::prepare;

/// What the screening needs to know about the links of a comment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// Every link, obfuscated or not, as a domain (lowercase, without `www.`).
    pub domains: Vec<String>,
    /// Links written to slip past filters.
    pub disguised: Vec<String>,
    /// Links to shorteners and to messaging apps' invitations.
    pub shortened_or_messaging: Vec<String>,
    /// Links carrying a referral or affiliate code (`?ref=`, `aff_id=`): paid to be clicked.
    pub referral: Vec<String>,
}

impl Links {
    pub fn count(&self) -> usize {
        self.domains.len()
    }

    /// The same domain more than twice.
    pub fn repeated_domain(&self) -> bool {
        self.domains.iter().any(|d| self.domains.iter().filter(|x| *x == d).count() > 2)
    }
}

const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "t.co",
    "ow.ly",
    "cutt.ly",
    "is.gd",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "s.id",
    "bl.ink",
    "lnkd.in",
    "linktr.ee",
];
const MESSAGING: &[&str] =
    &["t.me", "telegram.me", "wa.me", "chat.whatsapp.com", "wa.link", "api.whatsapp.com", "m.me", "discord.gg"];
/// Top-level domains a bare domain ends with ("voir exemple.ma").
const TLDS: &[&str] = &[
    "com", "net", "org", "ma", "io", "xyz", "ru", "info", "biz", "top", "click", "fr", "me", "ly", "gg", "co", "site",
    "online", "shop", "link", "live", "app", "int", "gov", "edu", "eu", "uk", "us", "de", "es", "tk", "cc",
];

/// The links of a text (a comment's body, its author's name or website).
pub fn links_in(text: &str) -> Links {
    let prepared = prepare(text).to_lowercase();
    let (undisguised, disguises) = undisguise(&prepared);
    let mut links = Links::default();
    for word in undisguised.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')' | ',')) {
        let Some(domain) = domain_of(word) else { continue };
        let shortened = SHORTENERS.iter().chain(MESSAGING).any(|s| domain == *s || domain.ends_with(&format!(".{s}")));
        if shortened {
            links.shortened_or_messaging.push(domain.clone());
        }
        let query = word.split_once(['?', '/']).map(|(_, q)| q).unwrap_or("");
        if ["ref=", "aff=", "aff_id=", "affiliate", "referral", "invite=", "promo="].iter().any(|k| query.contains(k)) {
            links.referral.push(domain.clone());
        }
        links.domains.push(domain);
    }
    links.disguised = disguises;
    links
}

/// The domain of a word that is a link (`https://x.ma/…`, `www.x.ma`, `x.ma/…`, `x.ma`).
fn domain_of(word: &str) -> Option<String> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    let rest = word.strip_prefix("https://").or_else(|| word.strip_prefix("http://")).unwrap_or(word);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let explicit = rest.len() < word.len();
    if host.contains('@') || !host.contains('.') || host.starts_with('.') || host.ends_with('.') {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let tld = labels.last().copied().unwrap_or("");
    // Without a scheme, only a known top-level domain makes a word a link ("etc.", "M.Dupont"
    // and "3.5" are not).
    let known =
        TLDS.contains(&tld) || (tld.len() == 2 && tld.chars().all(|c| c.is_ascii_alphabetic()) && labels[0].len() > 2);
    (well_formed && (explicit || known) && !tld.chars().all(|c| c.is_ascii_digit())).then(|| host.to_string())
}

/// Writes disguised links back as links, and says which disguises were found: `hxxp`,
/// `[.]`, `(.)`, `(dot)`, ` dot `, ` point `, `w w w`, spaces around the dots of a domain.
fn undisguise(text: &str) -> (String, Vec<String>) {
    let mut disguises = Vec::new();
    let mut out = text.to_string();
    for (from, to) in [("hxxps", "https"), ("hxxp", "http"), ("h**p", "http"), ("h..p", "http")] {
        if out.contains(from) {
            disguises.push(from.to_string());
            out = out.replace(from, to);
        }
    }
    for dot in ["[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", "[point]", "(point)"] {
        if out.contains(dot) {
            disguises.push(dot.to_string());
            out = out.replace(dot, ".");
        }
    }
    // "w w w", "w.w.w", "w-w-w": the three letters spaced out.
    for spaced in ["w w w", "w.w.w", "w-w-w", "w . w . w"] {
        if out.contains(spaced) {
            disguises.push(spaced.to_string());
            out = out.replace(spaced, "www");
        }
    }
    // Dots spelled out or spaced between labels, the last a known top-level domain or the
    // first "www": "exemple dot com", "exemple . com", "www • x • net", « مثال نقطة كوم »,
    // "x (نقطة) example (نقطة) com".
    // Bullets for dots inside one word: "www•x•ma".
    let bullets = ['•', '·', '∙', '●'];
    if out.contains(bullets) {
        let words: Vec<String> = out
            .split_whitespace()
            .map(|word| {
                let dotted = word.replace(bullets, ".");
                let last = dotted.rsplit('.').next().unwrap_or("");
                if dotted != word && tld_word(last).is_some() && !dotted.starts_with('.') {
                    disguises.push(word.to_string());
                    dotted
                } else {
                    word.to_string()
                }
            })
            .collect();
        out = words.join(" ");
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    let is_dot = |w: &str| {
        let w = w.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '{' | '}'));
        matches!(w, "dot" | "point" | "." | "•" | "·" | "∙" | "●" | "نقطة" | "نقطه" | "نقطا")
    };
    let is_label = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut end = i;
        while end + 2 < words.len() && is_dot(words[end + 1]) && is_label(words[end + 2]) {
            end += 2;
        }
        if end > i && is_label(words[i]) {
            let tld = tld_word(words[end]);
            if tld.is_some() || (words[i] == "www" && end >= i + 4) {
                disguises.push(words[i..=end].join(" "));
                let mut labels: Vec<&str> = words[i..end].iter().step_by(2).copied().collect();
                labels.push(tld.unwrap_or(words[end]));
                joined.push(labels.join("."));
                i = end + 1;
                continue;
            }
        }
        joined.push(words[i].to_string());
        i += 1;
    }
    (joined.join(" "), disguises)
}

/// A top-level domain written as a word ("com", "كوم", "ma").
fn tld_word(word: &str) -> Option<&'static str> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    Some(match word {
        "كوم" => "com",
        "نت" => "net",
        "اورغ" => "org",
        _ => TLDS.iter().find(|t| **t == word)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_links_are_counted_by_domain() {
        let links = links_in("le rapport: https://www.cour-des-comptes.example.ma/rapport-2024 et voilà");
        assert_eq!(links.domains, ["cour-des-comptes.example.ma"]);
        assert!(links.disguised.is_empty() && links.shortened_or_messaging.is_empty());
        assert_eq!(links_in("M.Dupont a dit etc. en 3.5 secondes").count(), 0);
        assert_eq!(links_in("voir exemple.ma").count(), 1);
    }

    #[test]
    fn disguised_links_are_found_and_said_to_be_disguised() {
        for text in [
            "w w w . gains-faciles . com",
            "hxxp://gains.example.com",
            "gains[.]com",
            "gains dot com",
            "gains point ma",
            "موقع gains نقطة كوم",
            "www • gains-video • example • net",
            "www•gains-video•example•ma",
            "gains (نقطة) example (نقطة) com",
        ] {
            let links = links_in(text);
            assert_eq!(links.count(), 1, "{text}: {links:?}");
            assert!(!links.disguised.is_empty(), "{text}");
        }
    }

    #[test]
    fn shorteners_and_messaging_invitations() {
        assert_eq!(links_in("rejoignez t.me/gainsfaciles").shortened_or_messaging, ["t.me"]);
        assert_eq!(links_in("https://wa.me/212600000000").shortened_or_messaging, ["wa.me"]);
        assert_eq!(links_in("bit.ly/3xYz").shortened_or_messaging, ["bit.ly"]);
    }
}
