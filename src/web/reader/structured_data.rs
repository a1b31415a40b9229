//! schema.org descriptions of reader pages, as JSON-LD: the paper as a `NewsMediaOrganization`
//! (every page's publisher), the site with its search on the front page, a section or a tag
//! as a `CollectionPage`, an author as a `ProfilePage`.

use serde_json::{Value, json};

use crate::app::AppState;
use crate::web::chrome::Chrome;

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` escaped, so no text of
/// an article or a setting can close the script element.
pub fn script_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The paper as the publisher of an article or a list: its name and logo (what search engines
/// show), and the `@id` of its full description on the front page ([`organization`]), which
/// every page need not repeat (a tenth of an article's structured data).
pub fn publisher(state: &AppState, chrome: &Chrome) -> Value {
    let base = &chrome.base_url;
    json!({
        "@type": "NewsMediaOrganization",
        "@id": format!("{base}/#organization"),
        "name": chrome.site_name,
        "url": format!("{base}/"),
        "logo": {
            "@type": "ImageObject",
            "url": format!("{base}{}", crate::web::chrome::icon_url(state, 512)),
            "width": 512,
            "height": 512,
        },
    })
}

/// The paper itself, described whole: its logo, principles, founding year, address and phone.
pub fn organization(state: &AppState, chrome: &Chrome) -> Value {
    let site = state.site();
    let mut organization = publisher(state, chrome);
    organization["publishingPrinciples"] = json!(format!("{}{}/confidentialite", chrome.base_url, chrome.prefix));
    if let Some(year) = site.footer.founded_year {
        organization["foundingDate"] = json!(year.to_string());
    }
    if !chrome.footer.address.is_empty() {
        organization["address"] = json!(chrome.footer.address);
    }
    if !chrome.footer.phone.is_empty() {
        organization["telephone"] = json!(chrome.footer.phone);
    }
    organization
}

/// The front page: the paper and its website, with the search readers can start from a
/// results page.
pub fn front(state: &AppState, chrome: &Chrome) -> String {
    let base = &chrome.base_url;
    let data = json!({
        "@context": "https://schema.org",
        "@graph": [
            organization(state, chrome),
            {
                "@type": "WebSite",
                "@id": format!("{base}{}/#website", chrome.prefix),
                "url": format!("{base}{}/", chrome.prefix),
                "name": chrome.site_name,
                "description": chrome.tagline,
                "inLanguage": chrome.lang,
                "publisher": {"@id": format!("{base}/#organization")},
                "potentialAction": {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": format!("{base}{}/recherche?q={{search_term_string}}", chrome.prefix),
                    },
                    "query-input": "required name=search_term_string",
                },
            },
        ],
    });
    script_json(&data)
}

/// A section's or a tag's page: a collection of articles under the front page.
pub fn collection(state: &AppState, chrome: &Chrome, name: &str, description: &str) -> String {
    let base = &chrome.base_url;
    let url = format!("{base}{}", chrome.path);
    let data = json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "CollectionPage",
                "@id": url,
                "url": url,
                "name": name,
                "description": description,
                "inLanguage": chrome.lang,
                "isPartOf": {"@id": format!("{base}{}/#website", chrome.prefix)},
                "publisher": publisher(state, chrome),
            },
            breadcrumbs(chrome, &[(name, &url)]),
        ],
    });
    script_json(&data)
}

/// An author's page: the person and what they wrote.
pub fn author(state: &AppState, chrome: &Chrome, name: &str, bio: &str) -> String {
    let base = &chrome.base_url;
    let url = format!("{base}{}", chrome.path);
    let data = json!({
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "@id": url,
        "url": url,
        "inLanguage": chrome.lang,
        "mainEntity": {
            "@type": "Person",
            "name": name,
            "description": bio,
            "url": url,
            "worksFor": publisher(state, chrome),
        },
    });
    script_json(&data)
}

/// Home, then each (name, url) in order.
pub fn breadcrumbs(chrome: &Chrome, trail: &[(&str, &str)]) -> Value {
    let home = format!("{}{}/", chrome.base_url, chrome.prefix);
    let mut items = vec![json!({"@type": "ListItem", "position": 1, "name": chrome.site_name, "item": home})];
    for (i, (name, url)) in trail.iter().enumerate() {
        items.push(json!({"@type": "ListItem", "position": i + 2, "name": name, "item": url}));
    }
    json!({"@type": "BreadcrumbList", "itemListElement": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let text = script_json(&json!({"headline": "</script><script>alert(1)</script> & co"}));
        assert!(!text.contains("</script"), "{text}");
        assert!(!text.contains('&'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script> & co");
    }
}
