//! Site settings (admins): identity, languages, time zone, footer, privacy text, comment
//! policy, ad slots and the breaking-news banner.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::PageResult;
use crate::news::{Lang, Role};
use crate::render::markdown::sanitize_ad;
use crate::store::media as media_store;
use crate::store::settings::{self, AdSlot, Breaking, FooterIdentity, LocalizedText, Logo, SiteSettings};
use crate::web::chrome::AD_SLOTS;
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SettingsInput {
    name: String,
    name_fr: String,
    name_ar: String,
    name_en: String,
    tagline_fr: String,
    tagline_ar: String,
    tagline_en: String,
    default_language: String,
    lang_fr: String,
    lang_ar: String,
    lang_en: String,
    time_zone: String,
    arabic_digits: String,
    /// The editions whose date line gives the Hijri date ("on" when ticked).
    hijri_fr: String,
    hijri_ar: String,
    hijri_en: String,
    /// Days added to the computed Hijri date, -2 to 2.
    hijri_offset: String,
    publisher: String,
    address: String,
    publisher_fr: String,
    publisher_ar: String,
    publisher_en: String,
    address_fr: String,
    address_ar: String,
    address_en: String,
    phone: String,
    fax: String,
    founded_year: String,
    privacy_fr: String,
    privacy_ar: String,
    privacy_en: String,
    policy_fr: String,
    policy_ar: String,
    policy_en: String,
    comments_auto_close_days: String,
    breaking_text: String,
    breaking_url: String,
    breaking_text_fr: String,
    breaking_url_fr: String,
    breaking_text_ar: String,
    breaking_url_ar: String,
    breaking_text_en: String,
    breaking_url_en: String,
    breaking_until: String,
    ads_txt: String,
    /// The logo: the number of an image of the media library, or nothing.
    logo: String,
    /// The ad slots' HTML by field name: `ad.header` for every language, `ad.header.ar` for
    /// the Arabic edition only.
    #[serde(flatten)]
    ads: std::collections::BTreeMap<String, String>,
}

/// The slot names an ad field may carry: each slot alone and per language.
fn ad_slot_names() -> Vec<String> {
    AD_SLOTS
        .iter()
        .flat_map(|slot| {
            std::iter::once(slot.to_string()).chain(Lang::ALL.iter().map(move |l| format!("{slot}.{}", l.code())))
        })
        .collect()
}

fn on(value: bool) -> String {
    if value { "on".into() } else { String::new() }
}

impl SettingsInput {
    fn from_settings(site: &SiteSettings, ads: &std::collections::BTreeMap<String, String>) -> SettingsInput {
        let get = |text: &LocalizedText, l: Lang| text.get(&l).cloned().unwrap_or_default();
        let tz = site.tz();
        SettingsInput {
            name: site.name.clone(),
            name_fr: get(&site.names, Lang::Fr),
            name_ar: get(&site.names, Lang::Ar),
            name_en: get(&site.names, Lang::En),
            tagline_fr: get(&site.tagline, Lang::Fr),
            tagline_ar: get(&site.tagline, Lang::Ar),
            tagline_en: get(&site.tagline, Lang::En),
            default_language: site.default_language.code().into(),
            lang_fr: on(site.enabled_languages.contains(&Lang::Fr)),
            lang_ar: on(site.enabled_languages.contains(&Lang::Ar)),
            lang_en: on(site.enabled_languages.contains(&Lang::En)),
            time_zone: site.time_zone.clone(),
            arabic_digits: site.arabic_digits.clone(),
            hijri_fr: on(site.hijri_editions.contains(&Lang::Fr)),
            hijri_ar: on(site.hijri_editions.contains(&Lang::Ar)),
            hijri_en: on(site.hijri_editions.contains(&Lang::En)),
            hijri_offset: site.hijri_offset_days.to_string(),
            publisher: site.footer.publisher.clone(),
            address: site.footer.address.clone(),
            publisher_fr: get(&site.footer.publishers, Lang::Fr),
            publisher_ar: get(&site.footer.publishers, Lang::Ar),
            publisher_en: get(&site.footer.publishers, Lang::En),
            address_fr: get(&site.footer.addresses, Lang::Fr),
            address_ar: get(&site.footer.addresses, Lang::Ar),
            address_en: get(&site.footer.addresses, Lang::En),
            phone: site.footer.phone.clone(),
            fax: site.footer.fax.clone(),
            founded_year: site.footer.founded_year.map(|y| y.to_string()).unwrap_or_default(),
            privacy_fr: get(&site.privacy_text, Lang::Fr),
            privacy_ar: get(&site.privacy_text, Lang::Ar),
            privacy_en: get(&site.privacy_text, Lang::En),
            policy_fr: get(&site.comment_policy, Lang::Fr),
            policy_ar: get(&site.comment_policy, Lang::Ar),
            policy_en: get(&site.comment_policy, Lang::En),
            comments_auto_close_days: site.comments_auto_close_days.to_string(),
            breaking_text: site.breaking.text.clone(),
            breaking_url: site.breaking.url.clone(),
            breaking_text_fr: get(&site.breaking.texts, Lang::Fr),
            breaking_url_fr: get(&site.breaking.urls, Lang::Fr),
            breaking_text_ar: get(&site.breaking.texts, Lang::Ar),
            breaking_url_ar: get(&site.breaking.urls, Lang::Ar),
            breaking_text_en: get(&site.breaking.texts, Lang::En),
            breaking_url_en: get(&site.breaking.urls, Lang::En),
            breaking_until: site
                .breaking
                .until
                .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| {
                    use chrono::TimeZone;
                    tz.from_utc_datetime(&t.naive_utc()).format("%Y-%m-%dT%H:%M").to_string()
                })
                .unwrap_or_default(),
            ads_txt: site.ads_txt.clone(),
            logo: site.logo.as_ref().map(|l| l.media_id.to_string()).unwrap_or_default(),
            ads: ad_slot_names()
                .into_iter()
                .map(|slot| {
                    let html = ads.get(&slot).cloned().unwrap_or_default();
                    (format!("ad.{slot}"), html)
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct SettingsPage {
    #[serde(flatten)]
    desk: Desk,
    input: SettingsInput,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn show_settings(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<OkQuery>,
) -> PageResult<Response> {
    staff.require(|r| r == Role::Admin)?;
    let ads = settings::ad_slots(state.db()).await?;
    let input = SettingsInput::from_settings(&state.site(), &ads);
    render(
        &state,
        "newsroom/settings.html",
        &SettingsPage {
            desk: Desk::new(&state, &staff, "/reglages", q.ok.as_deref()),
            input,
            errors: FieldErrors::default(),
        },
    )
}

fn texts(fr: &str, ar: &str, en: &str) -> LocalizedText {
    [(Lang::Fr, fr), (Lang::Ar, ar), (Lang::En, en)]
        .into_iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(l, t)| (l, t.trim().replace("\r\n", "\n")))
        .collect()
}

pub async fn save_settings(State(state): State<AppState>, form: StaffForm<SettingsInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(|r| r == Role::Admin)?;
    let lang = staff.lang(&state);
    let t = |key: &str| state.catalog().text(lang, &format!("newsroom.settings.error.{key}"), &[]);
    let mut errors = FieldErrors::default();
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 120 {
        errors.add("name", t("name"));
    }
    let enabled: Vec<Lang> = [(Lang::Fr, &input.lang_fr), (Lang::Ar, &input.lang_ar), (Lang::En, &input.lang_en)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(l, _)| l)
        .collect();
    let default_language = Lang::parse(&input.default_language);
    match default_language {
        Some(l) if enabled.contains(&l) => {}
        _ => errors.add("default_language", t("default_language")),
    }
    let tz: Option<chrono_tz::Tz> = input.time_zone.trim().parse().ok();
    if tz.is_none() {
        errors.add("time_zone", t("time_zone"));
    }
    let hijri_offset_days = match input.hijri_offset.trim().parse::<i32>() {
        Ok(days) if (-2..=2).contains(&days) => days,
        _ if input.hijri_offset.trim().is_empty() => 0,
        _ => {
            errors.add("hijri_offset", t("hijri_offset"));
            0
        }
    };
    let founded_year = match input.founded_year.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) if (1600..=2100).contains(&y) => Some(y),
            _ => {
                errors.add("founded_year", t("founded_year"));
                None
            }
        },
    };
    let auto_close = match input.comments_auto_close_days.trim().parse::<u32>() {
        Ok(days) if days <= 3650 => days,
        _ => {
            errors.add("comments_auto_close_days", t("days"));
            30
        }
    };
    let acceptable_url = |url: &str| {
        url.is_empty()
            || url.starts_with("https://")
            || url.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//"))
    };
    for (field, url) in [
        ("breaking_url", &input.breaking_url),
        ("breaking_url_fr", &input.breaking_url_fr),
        ("breaking_url_ar", &input.breaking_url_ar),
        ("breaking_url_en", &input.breaking_url_en),
    ] {
        if !acceptable_url(url.trim()) {
            errors.add(field, t("url"));
        }
    }
    let breaking_texts = texts(&input.breaking_text_fr, &input.breaking_text_ar, &input.breaking_text_en);
    let breaking_urls = texts(&input.breaking_url_fr, &input.breaking_url_ar, &input.breaking_url_en);
    let no_banner = input.breaking_text.trim().is_empty() && breaking_texts.is_empty();
    let breaking_until = match (no_banner, input.breaking_until.trim()) {
        (true, _) => None,
        (false, "") => {
            errors.add("breaking_until", t("until"));
            None
        }
        (false, text) => match (chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"), tz) {
            (Ok(naive), Some(tz)) => {
                use chrono::TimeZone;
                tz.from_local_datetime(&naive).earliest().map(|t| t.timestamp_millis())
            }
            _ => {
                errors.add("breaking_until", t("until"));
                None
            }
        },
    };
    let logo = match logo(&state, &input.logo).await? {
        Ok(logo) => logo,
        Err(key) => {
            errors.add("logo", t(key));
            None
        }
    };
    if !errors.is_empty() {
        let mut response = render(
            &state,
            "newsroom/settings.html",
            &SettingsPage { desk: Desk::new(&state, &staff, "/reglages", None), input, errors },
        )?;
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let site = SiteSettings {
        name,
        names: texts(&input.name_fr, &input.name_ar, &input.name_en),
        tagline: texts(&input.tagline_fr, &input.tagline_ar, &input.tagline_en),
        default_language: default_language.unwrap_or(Lang::Fr),
        enabled_languages: enabled,
        time_zone: input.time_zone.trim().to_string(),
        arabic_digits: if input.arabic_digits == "eastern" { "eastern".into() } else { "western".into() },
        hijri_editions: [(Lang::Fr, &input.hijri_fr), (Lang::Ar, &input.hijri_ar), (Lang::En, &input.hijri_en)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(l, _)| l)
            .collect(),
        hijri_offset_days,
        footer: FooterIdentity {
            publisher: input.publisher.trim().into(),
            address: input.address.trim().into(),
            publishers: texts(&input.publisher_fr, &input.publisher_ar, &input.publisher_en),
            addresses: texts(&input.address_fr, &input.address_ar, &input.address_en),
            phone: input.phone.trim().into(),
            fax: input.fax.trim().into(),
            founded_year,
        },
        privacy_text: texts(&input.privacy_fr, &input.privacy_ar, &input.privacy_en),
        comment_policy: texts(&input.policy_fr, &input.policy_ar, &input.policy_en),
        comments_auto_close_days: auto_close,
        breaking: Breaking {
            text: input.breaking_text.trim().into(),
            url: input.breaking_url.trim().into(),
            until: breaking_until,
            texts: breaking_texts,
            urls: breaking_urls,
        },
        // Comment settings have their own page (the moderation settings).
        comments: state.site().comments.clone(),
        ads_txt: input.ads_txt.trim().replace("\r\n", "\n"),
        logo,
    };
    let mut tx = state.db().begin().await?;
    settings::save_site(&mut tx, &site).await?;
    // Ad slots are HTML from admins; sanitized all the same, and no script would run anyway.
    for slot in ad_slot_names() {
        let html = input.ads.get(&format!("ad.{slot}")).map(|h| sanitize_ad(h.trim())).unwrap_or_default();
        settings::put_ad_slot(&mut tx, &AdSlot { name: slot, html }).await?;
    }
    let did = Did { action: "settings.save", object_type: "settings", object_id: None, detail: serde_json::json!({}) };
    finish(&state, &staff, tx, did, Touched::Site, &format!("{BASE}/reglages?ok=saved")).await
}

/// The logo the form names (an image number from the media library), with its icons: those
/// of the current logo when it stays, new ones made from a new logo. `Err` holds the error
/// message's key.
async fn logo(state: &AppState, typed: &str) -> PageResult<Result<Option<Logo>, &'static str>> {
    let typed = typed.trim().trim_start_matches('#');
    if typed.is_empty() {
        return Ok(Ok(None));
    }
    let Ok(media_id) = typed.parse::<i64>() else { return Ok(Err("logo")) };
    if let Some(current) = state.site().logo.as_ref().filter(|l| l.media_id == media_id) {
        return Ok(Ok(Some(current.clone())));
    }
    let Some(item) = media_store::by_id(state.db(), media_id).await? else { return Ok(Err("logo")) };
    let media_dir = state.config().media_dir();
    let key = item.storage_key.clone();
    let made = tokio::task::spawn_blocking(move || crate::media::icons::make(&media_dir, &key))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    let Ok(icons) = made else { return Ok(Err("logo_unreadable")) };
    let [icon_180, icon_192, icon_512] =
        <[String; 3]>::try_from(icons).map_err(|_| crate::error::AppError::Internal("three icons expected".into()))?;
    Ok(Ok(Some(Logo {
        media_id,
        key: item.storage_key,
        width: item.width,
        height: item.height,
        icon_180,
        icon_192,
        icon_512,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_fields_of_every_slot_and_language_are_read() {
        let input: SettingsInput =
            serde_urlencoded::from_str("name=Le+Quotidien&ad.header=%3Cb%3EA%3C%2Fb%3E&ad.sidebar.ar=B&csrf=x")
                .unwrap();
        assert_eq!(input.name, "Le Quotidien");
        assert_eq!(input.ads.get("ad.header").map(String::as_str), Some("<b>A</b>"));
        assert_eq!(input.ads.get("ad.sidebar.ar").map(String::as_str), Some("B"));
        assert!(ad_slot_names().contains(&"sidebar.ar".to_string()));
    }
}
