//! What every reader page carries around its content: language and direction, the site's
//! name, the sections menu, the footer identity.

use serde::Serialize;

use crate::app::AppState;
use crate::news::Lang;
use crate::store::settings::FooterIdentity;
use crate::store::{StoreResult, sections};

#[derive(Clone, Debug, Serialize)]
pub struct NavItem {
    pub slug: String,
    pub name: String,
}

/// The layout's data; pages flatten it into their own context.
#[derive(Clone, Debug, Serialize)]
pub struct Chrome {
    pub lang: &'static str,
    pub dir: &'static str,
    pub tz: String,
    pub arabic_digits: String,
    pub site_name: String,
    pub tagline: String,
    pub nav: Vec<NavItem>,
    pub footer: FooterIdentity,
    pub base_url: String,
}

impl Chrome {
    /// The layout with the sections menu (one query).
    pub async fn for_page(state: &AppState, lang: Lang) -> StoreResult<Chrome> {
        let mut chrome = Chrome::without_navigation(state, lang);
        chrome.nav = sections::all(state.db())
            .await?
            .into_iter()
            .filter(|s| s.parent_id.is_none())
            .map(|s| NavItem { name: s.name(lang).to_string(), slug: s.slug })
            .collect();
        Ok(chrome)
    }

    /// The layout without touching the database: error pages must render when it is down.
    pub fn without_navigation(state: &AppState, lang: Lang) -> Chrome {
        let site = state.site();
        Chrome {
            lang: lang.code(),
            dir: lang.dir(),
            tz: site.time_zone.clone(),
            arabic_digits: site.arabic_digits.clone(),
            site_name: site.name.clone(),
            tagline: site.localized(&site.tagline, lang).to_string(),
            nav: Vec::new(),
            footer: site.footer.clone(),
            base_url: state.config().base_url(),
        }
    }
}
