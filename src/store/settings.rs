//! Site settings: typed values stored as JSON under a key, so adding a setting needs no migration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Db, StoreError, StoreResult, Tx, now_ms};
use crate::news::Lang;

/// A text given in each language the site uses.
pub type LocalizedText = BTreeMap<Lang, String>;

/// Everything an admin sets about the site, in the newsroom.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SiteSettings {
    pub name: String,
    /// The name as each edition writes it (« الصباح » for « Le Matin »); `name` where empty.
    pub names: LocalizedText,
    pub tagline: LocalizedText,
    pub default_language: Lang,
    pub enabled_languages: Vec<Lang>,
    /// IANA time zone for dates shown and scheduling.
    pub time_zone: String,
    /// "western" (0123) or "eastern" (٠١٢٣) digits on Arabic pages.
    pub arabic_digits: String,
    /// The editions whose date line also gives the Hijri date (the Arabic one by default).
    pub hijri_editions: Vec<Lang>,
    /// Days added to the computed (Umm al-Qura) Hijri date, -2 to 2: Morocco, which sights the
    /// crescent itself, is often a day behind.
    pub hijri_offset_days: i32,
    pub footer: FooterIdentity,
    pub privacy_text: LocalizedText,
    pub comment_policy: LocalizedText,
    /// Comments close automatically this many days after publication (articles set to "auto").
    pub comments_auto_close_days: u32,
    /// A breaking-news banner shown on every page until it expires.
    pub breaking: Breaking,
    /// How reader comments are screened and mailed.
    pub comments: CommentSettings,
    /// The body of `/ads.txt`: the ad sellers the paper authorizes (none: no file).
    pub ads_txt: String,
    /// The nameplate's logo, an image of the media library; the name in the theme's display
    /// face when there is none.
    pub logo: Option<Logo>,
}

/// The paper's logo and the square icons made from it (favicon, home-screen icons, the
/// publisher's logo search engines show), all media keys.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct Logo {
    pub media_id: i64,
    pub key: String,
    pub width: i64,
    pub height: i64,
    pub icon_180: String,
    pub icon_192: String,
    pub icon_512: String,
}

/// How reader comments are screened and mailed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CommentSettings {
    /// Approve at once a clean comment from an e-mail that already has an approved one.
    pub auto_approve_trusted: bool,
    /// More links than this hold a comment.
    pub max_links: u32,
    /// Seconds a reader needs at least between seeing the form and posting it.
    pub min_seconds: u32,
    /// Comments per address hash per 10 minutes.
    pub per_address_per_10_min: u32,
    /// Comments per e-mail per hour.
    pub per_email_per_hour: u32,
    /// Tell the author of a refused comment why, by mail.
    pub notify_refusals: bool,
    /// "immediate", "hourly" or "off": the moderators' mail about waiting comments.
    pub moderator_digest: String,
}

impl Default for CommentSettings {
    fn default() -> Self {
        CommentSettings {
            auto_approve_trusted: false,
            max_links: 2,
            min_seconds: 3,
            per_address_per_10_min: 5,
            per_email_per_hour: 10,
            notify_refusals: false,
            moderator_digest: "hourly".into(),
        }
    }
}

/// A breaking-news banner.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct Breaking {
    /// The banner in the site's default language.
    pub text: String,
    /// Where the banner leads (an article's address), or nothing.
    pub url: String,
    /// Unix ms after which the banner disappears; `None`: no banner.
    pub until: Option<i64>,
    /// The banner of the other editions, and where it leads there; an edition without its
    /// own text shows no banner rather than one in another language.
    pub texts: LocalizedText,
    pub urls: LocalizedText,
}

impl Breaking {
    /// The banner, if it is set and not yet expired at `now`.
    pub fn active(&self, now: i64) -> Option<&Breaking> {
        let written = !self.text.trim().is_empty() || self.texts.values().any(|t| !t.trim().is_empty());
        (written && self.until.is_some_and(|u| u > now)).then_some(self)
    }

    /// The banner `lang`'s edition shows at `now`: its own text, or the default language's
    /// on that edition only.
    pub fn for_edition(&self, lang: Lang, default_language: Lang, now: i64) -> Option<Breaking> {
        self.active(now)?;
        let own = self.texts.get(&lang).map(|t| t.trim()).filter(|t| !t.is_empty());
        let (text, url) = match own {
            Some(text) => (text.to_string(), self.urls.get(&lang).cloned().unwrap_or_default()),
            None if lang == default_language && !self.text.trim().is_empty() => (self.text.clone(), self.url.clone()),
            None => return None,
        };
        Some(Breaking { text, url, until: self.until, ..Breaking::default() })
    }
}

/// The publisher's identity in the footer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct FooterIdentity {
    pub publisher: String,
    pub address: String,
    /// The publisher's name and address as each edition writes them; the plain fields where
    /// an edition has none.
    pub publishers: LocalizedText,
    pub addresses: LocalizedText,
    pub phone: String,
    pub fax: String,
    pub founded_year: Option<i32>,
}

impl Default for SiteSettings {
    fn default() -> Self {
        let text = |fr: &str, ar: &str, en: &str| {
            LocalizedText::from([(Lang::Fr, fr.to_string()), (Lang::Ar, ar.to_string()), (Lang::En, en.to_string())])
        };
        SiteSettings {
            name: "Gazette".into(),
            names: LocalizedText::new(),
            tagline: text("L'information, chaque jour", "الخبر، كل يوم", "The news, every day"),
            default_language: Lang::Fr,
            enabled_languages: vec![Lang::Fr, Lang::Ar, Lang::En],
            time_zone: "Africa/Casablanca".into(),
            arabic_digits: "western".into(),
            hijri_editions: vec![Lang::Ar],
            hijri_offset_days: 0,
            footer: FooterIdentity::default(),
            privacy_text: text(
                "Ce site ne dépose aucun cookie chez ses lecteurs, sauf s'ils se connectent ou commentent. \
                 Les lectures sont comptées sans suivre personne : aucune adresse IP n'est conservée.",
                "لا يضع هذا الموقع أي ملفات تعريف ارتباط لدى قرائه، إلا عند تسجيل الدخول أو التعليق. \
                 تُحتسب القراءات دون تتبع أي أحد: لا يُحتفظ بأي عنوان IP.",
                "This site sets no cookie for its readers unless they log in or comment. \
                 Reads are counted without tracking anyone: no IP address is kept.",
            ),
            comment_policy: text(
                "Votre avis nous intéresse. Cependant, la rédaction refusera de diffuser toute forme de message \
                 haineux, diffamatoire, calomnieux ou attentatoire à l'honneur et à la vie privée. Seront exclus \
                 tous propos racistes ou xénophobes, menaces, injures ou autres incitations à la violence. \
                 Nous vous recommandons respect et courtoisie.",
                "يهمنا رأيكم. غير أن هيئة التحرير ترفض نشر أي رسالة تتضمن الكراهية أو القذف أو الافتراء أو المساس \
                 بالشرف والحياة الخاصة. وتُستبعد كل العبارات العنصرية أو المعادية للأجانب والتهديدات والشتائم \
                 والتحريض على العنف. نوصيكم بالاحترام واللباقة.",
                "We value your opinion. The newsroom will not publish any message that is hateful, defamatory, \
                 slanderous, or that attacks anyone's honour or privacy. Racist or xenophobic remarks, threats, \
                 insults and incitement to violence are excluded. Please be respectful and courteous.",
            ),
            comments_auto_close_days: 30,
            breaking: Breaking::default(),
            comments: CommentSettings::default(),
            ads_txt: String::new(),
            logo: None,
        }
    }
}

impl FooterIdentity {
    /// The footer of `lang`'s edition: its own publisher and address where given.
    pub fn for_lang(&self, lang: Lang) -> FooterIdentity {
        let pick = |by_lang: &LocalizedText, plain: &str| {
            by_lang.get(&lang).map(|t| t.trim()).filter(|t| !t.is_empty()).unwrap_or(plain).to_string()
        };
        FooterIdentity {
            publisher: pick(&self.publishers, &self.publisher),
            address: pick(&self.addresses, &self.address),
            ..self.clone()
        }
    }
}

impl SiteSettings {
    /// The text in `lang`, else in the default language, else any.
    pub fn localized<'a>(&self, text: &'a LocalizedText, lang: Lang) -> &'a str {
        text.get(&lang)
            .or_else(|| text.get(&self.default_language))
            .or_else(|| text.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The publication's name in `lang`'s edition.
    pub fn name_in(&self, lang: Lang) -> &str {
        self.names.get(&lang).map(|n| n.trim()).filter(|n| !n.is_empty()).unwrap_or(&self.name)
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Africa::Casablanca)
    }
}

const SITE_KEY: &str = "site";

/// A typed value under a key; `None` when never set.
pub async fn get<T: serde::de::DeserializeOwned>(db: &Db, key: &str) -> StoreResult<Option<T>> {
    let row = sqlx::query("select value from settings where key = $1")
        .bind(key.to_string())
        .fetch_optional(db.reader())
        .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let text: String = row.try_get("value")?;
            serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StoreError::Other(format!("setting {key} is not valid: {e}")))
        }
    }
}

/// Stores a typed value under a key.
pub async fn put<T: Serialize>(tx: &mut Tx, key: &str, value: &T) -> StoreResult<()> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))?;
    sqlx::query(
        "insert into settings (key, value, updated_at) values ($1, $2, $3) \
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key.to_string())
    .bind(text)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The site settings, with defaults for whatever was never set.
pub async fn site(db: &Db) -> StoreResult<SiteSettings> {
    Ok(get::<SiteSettings>(db, SITE_KEY).await?.unwrap_or_default())
}

pub async fn save_site(tx: &mut Tx, settings: &SiteSettings) -> StoreResult<()> {
    put(tx, SITE_KEY, settings).await
}

/// A named ad slot.
#[derive(Clone, Debug, Serialize)]
pub struct AdSlot {
    pub name: String,
    pub html: String,
}

/// Enabled ad slots by name.
pub async fn ad_slots(db: &Db) -> StoreResult<BTreeMap<String, String>> {
    let rows = sqlx::query("select name, html from ad_slots where enabled = 1").fetch_all(db.reader()).await?;
    let mut slots = BTreeMap::new();
    for row in rows {
        slots.insert(row.try_get::<String, _>("name")?, row.try_get::<String, _>("html")?);
    }
    Ok(slots)
}

/// Stores a setting unless one is there already (two nodes starting together: the first
/// insert wins). Returns the value in force.
pub async fn put_if_absent<T: Serialize + serde::de::DeserializeOwned>(
    db: &Db,
    key: &str,
    value: &T,
) -> StoreResult<T> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))?;
    let mut tx = db.begin().await?;
    sqlx::query("insert into settings (key, value, updated_at) values ($1, $2, $3) on conflict (key) do nothing")
        .bind(key.to_string())
        .bind(text)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    get(db, key).await?.ok_or_else(|| StoreError::Other(format!("setting {key} vanished as it was written")))
}

pub async fn put_ad_slot(tx: &mut Tx, slot: &AdSlot) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "insert into ad_slots (name, html, enabled, created_at, updated_at) values ($1, $2, 1, $3, $3) \
         on conflict (name) do update set html = excluded.html, updated_at = excluded.updated_at",
    )
    .bind(slot.name.clone())
    .bind(slot.html.clone())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
