//! Site settings (admins): identity, languages, time zone, footer, privacy text, comment
//! policy, ad slots and the breaking-news banner.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::PageResult;
use crate::news::{Lang, Role};
use crate::render::markdown::sanitize;
use crate::store::settings::{self, AdSlot, Breaking, FooterIdentity, LocalizedText, SiteSettings};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

/// The names of the ad slots the built-in theme shows.
pub const AD_SLOTS: [&str; 3] = ["header", "sidebar", "article-bottom"];

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SettingsInput {
    name: String,
    tagline_fr: String,
    tagline_ar: String,
    tagline_en: String,
    default_language: String,
    lang_fr: String,
    lang_ar: String,
    lang_en: String,
    time_zone: String,
    arabic_digits: String,
    publisher: String,
    address: String,
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
    breaking_until: String,
    ad_header: String,
    ad_sidebar: String,
    ad_article_bottom: String,
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
            tagline_fr: get(&site.tagline, Lang::Fr),
            tagline_ar: get(&site.tagline, Lang::Ar),
            tagline_en: get(&site.tagline, Lang::En),
            default_language: site.default_language.code().into(),
            lang_fr: on(site.enabled_languages.contains(&Lang::Fr)),
            lang_ar: on(site.enabled_languages.contains(&Lang::Ar)),
            lang_en: on(site.enabled_languages.contains(&Lang::En)),
            time_zone: site.time_zone.clone(),
            arabic_digits: site.arabic_digits.clone(),
            publisher: site.footer.publisher.clone(),
            address: site.footer.address.clone(),
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
            breaking_until: site
                .breaking
                .until
                .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| {
                    use chrono::TimeZone;
                    tz.from_utc_datetime(&t.naive_utc()).format("%Y-%m-%dT%H:%M").to_string()
                })
                .unwrap_or_default(),
            ad_header: ads.get("header").cloned().unwrap_or_default(),
            ad_sidebar: ads.get("sidebar").cloned().unwrap_or_default(),
            ad_article_bottom: ads.get("article-bottom").cloned().unwrap_or_default(),
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
    let lang = state.site().default_language;
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
    let breaking_url = input.breaking_url.trim().to_string();
    let acceptable_url = breaking_url.is_empty()
        || breaking_url.starts_with("https://")
        || breaking_url.starts_with("http://")
        || (breaking_url.starts_with('/') && !breaking_url.starts_with("//"));
    if !acceptable_url {
        errors.add("breaking_url", t("url"));
    }
    let breaking_until = match (input.breaking_text.trim().is_empty(), input.breaking_until.trim()) {
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
        tagline: texts(&input.tagline_fr, &input.tagline_ar, &input.tagline_en),
        default_language: default_language.unwrap_or(Lang::Fr),
        enabled_languages: enabled,
        time_zone: input.time_zone.trim().to_string(),
        arabic_digits: if input.arabic_digits == "eastern" { "eastern".into() } else { "western".into() },
        footer: FooterIdentity {
            publisher: input.publisher.trim().into(),
            address: input.address.trim().into(),
            phone: input.phone.trim().into(),
            fax: input.fax.trim().into(),
            founded_year,
        },
        privacy_text: texts(&input.privacy_fr, &input.privacy_ar, &input.privacy_en),
        comment_policy: texts(&input.policy_fr, &input.policy_ar, &input.policy_en),
        comments_auto_close_days: auto_close,
        breaking: Breaking { text: input.breaking_text.trim().into(), url: breaking_url, until: breaking_until },
        // Comment settings have their own page (the moderation settings).
        comments: state.site().comments.clone(),
    };
    let mut tx = state.db().begin().await?;
    settings::save_site(&mut tx, &site).await?;
    // Ad slots are HTML from admins; sanitized all the same, and no script would run anyway.
    for (name, html) in AD_SLOTS.iter().zip([&input.ad_header, &input.ad_sidebar, &input.ad_article_bottom]) {
        settings::put_ad_slot(&mut tx, &AdSlot { name: name.to_string(), html: sanitize(html.trim()) }).await?;
    }
    let did = Did { action: "settings.save", object_type: "settings", object_id: None, detail: serde_json::json!({}) };
    finish(&state, &staff, tx, did, Touched::Site, &format!("{BASE}/reglages?ok=saved")).await
}
