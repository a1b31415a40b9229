//! What every reader page carries around its content: language and direction, the site's
//! name, the sections menu, the language switcher, the ad slots, the footer identity.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::app::{AppState, PageParts};
use crate::news::Lang;
use crate::store::StoreResult;
use crate::store::settings::FooterIdentity;
use crate::web::lang::prefix_for;

#[derive(Clone, Debug, Serialize)]
pub struct NavItem {
    pub slug: String,
    pub name: String,
}

/// A link to the same page (or the nearest one) in another language.
#[derive(Clone, Debug, Serialize)]
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub og_locale: &'static str,
    pub href: String,
    pub current: bool,
}

/// The layout's data; pages flatten it into their own context.
#[derive(Clone, Debug, Serialize)]
pub struct Chrome {
    pub lang: &'static str,
    pub og_locale: &'static str,
    pub dir: &'static str,
    /// "" or "/ar": the start of every listing link on this page.
    pub prefix: &'static str,
    pub tz: String,
    pub arabic_digits: String,
    pub site_name: String,
    pub tagline: String,
    pub nav: Vec<NavItem>,
    pub languages: Vec<LangLink>,
    pub ads: BTreeMap<String, String>,
    pub footer: FooterIdentity,
    pub base_url: String,
    /// This page's address without its host, for the canonical link.
    pub path: String,
    /// What the search box shows.
    pub q: String,
    /// The breaking-news banner, while it lasts.
    pub breaking: Option<crate::store::settings::Breaking>,
    /// Now (unix ms), for the masthead's date line in the edition's language.
    pub today: i64,
    /// Whether this edition's date line gives the Hijri date too, and the days added to the
    /// computed one (the paper follows its country's sighting).
    pub hijri: bool,
    pub hijri_offset: i32,
    /// The nameplate's logo, when the paper set one.
    pub logo: Option<crate::store::settings::Logo>,
    /// The square icons: from the logo, else the theme's.
    pub icon_180: String,
    pub icon_192: String,
    pub icon_512: String,
}

/// The site's square icon of `size` (180, 192 or 512 pixels): made from the logo when the
/// paper set one, else the theme's.
pub fn icon_url(state: &AppState, size: u32) -> String {
    let site = state.site();
    let from_logo = site.logo.as_ref().map(|logo| match size {
        180 => logo.icon_180.as_str(),
        192 => logo.icon_192.as_str(),
        _ => logo.icon_512.as_str(),
    });
    match from_logo.filter(|key| !key.is_empty()) {
        Some(key) => format!("/media/{key}"),
        None => state.assets().url(&format!("icon-{size}.png")),
    }
}

/// The ad slots a page may show. An administrator fills each one per language
/// (`header.ar`) or for every language (`header`); a slot without either is not drawn.
pub const AD_SLOTS: [&str; 3] = ["header", "sidebar", "article-bottom"];

/// The slots' contents for a page in `lang`: its own language's, else the one for all.
fn ads_for(all: &BTreeMap<String, String>, lang: Lang) -> BTreeMap<String, String> {
    AD_SLOTS
        .iter()
        .filter_map(|slot| {
            let filled = |name: &str| all.get(name).filter(|html| !html.trim().is_empty());
            let html = filled(&format!("{slot}.{}", lang.code())).or_else(|| filled(slot))?;
            Some((slot.to_string(), html.clone()))
        })
        .collect()
}

impl Chrome {
    /// The layout for a page at `path` (without language prefix) in `lang`. The sections
    /// menu and the ad slots come from `AppState::page_parts`, which the handler gets too.
    pub async fn for_page(state: &AppState, lang: Lang, path: &str) -> StoreResult<(Chrome, Arc<PageParts>)> {
        let parts = state.page_parts().await?;
        Ok((Chrome::with_parts(state, lang, path, &parts), parts))
    }

    /// The layout from page parts the handler already has.
    pub fn with_parts(state: &AppState, lang: Lang, path: &str, parts: &PageParts) -> Chrome {
        let mut chrome = Chrome::without_navigation(state, lang);
        chrome.nav = parts
            .sections
            .iter()
            .filter(|s| s.parent_id.is_none())
            .map(|s| NavItem { name: s.name(lang).to_string(), slug: s.slug.clone() })
            .collect();
        chrome.ads = ads_for(&parts.ads, lang);
        chrome.set_path(state, path);
        chrome
    }

    /// The layout without touching the database: error pages must render when it is down.
    pub fn without_navigation(state: &AppState, lang: Lang) -> Chrome {
        let site = state.site();
        let mut chrome = Chrome {
            lang: lang.code(),
            og_locale: lang.og_locale(),
            dir: lang.dir(),
            prefix: prefix_for(lang, site.default_language),
            tz: site.time_zone.clone(),
            arabic_digits: site.arabic_digits.clone(),
            site_name: site.name_in(lang).to_string(),
            tagline: site.localized(&site.tagline, lang).to_string(),
            nav: Vec::new(),
            languages: Vec::new(),
            ads: BTreeMap::new(),
            footer: site.footer.for_lang(lang),
            base_url: state.config().base_url(),
            path: String::new(),
            q: String::new(),
            today: crate::store::now_ms(),
            hijri: site.hijri_editions.contains(&lang),
            hijri_offset: site.hijri_offset_days,
            logo: site.logo.clone(),
            icon_180: icon_url(state, 180),
            icon_192: icon_url(state, 192),
            icon_512: icon_url(state, 512),
            // The settings form accepts only site paths and http(s) links; a value stored any
            // other way (an old version, a database edit) is shown without its link.
            breaking: site.breaking.for_edition(lang, site.default_language, crate::store::now_ms()).map(
                |mut banner| {
                    let url = banner.url.trim();
                    let safe = url.starts_with("https://")
                        || url.starts_with("http://")
                        || (url.starts_with('/') && !url.starts_with("//"));
                    if !safe {
                        banner.url.clear();
                    }
                    banner
                },
            ),
        };
        chrome.set_path(state, "/");
        chrome
    }

    /// Sets this page's address and points the language switcher at the same page in the
    /// other languages.
    pub fn set_path(&mut self, state: &AppState, path: &str) {
        let site = state.site();
        let lang = Lang::parse(self.lang).unwrap_or(site.default_language);
        self.path = format!("{}{}", self.prefix, if path == "/" && !self.prefix.is_empty() { "" } else { path });
        self.languages = site
            .enabled_languages
            .iter()
            .map(|other| {
                let prefix = prefix_for(*other, site.default_language);
                let href = match (prefix, path) {
                    ("", p) => p.to_string(),
                    (pre, "/") => pre.to_string(),
                    (pre, p) => format!("{pre}{p}"),
                };
                LangLink {
                    code: other.code(),
                    name: other.native_name(),
                    og_locale: other.og_locale(),
                    href,
                    current: *other == lang,
                }
            })
            .collect();
    }

    /// Points one language's switcher entry somewhere else (an article's translation).
    pub fn set_language_link(&mut self, lang: Lang, href: String) {
        if let Some(link) = self.languages.iter_mut().find(|l| l.code == lang.code()) {
            link.href = href;
        }
    }
}
