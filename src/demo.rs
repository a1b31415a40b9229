//! `gazette demo`: a realistic sample newspaper, written for Gazette, loaded idempotently.
//!
//! Nine sections and a sub-section, 80 articles in French, 20 in Arabic and 10 in English
//! (stories told in several languages share a translation group), generated pictures, three
//! authors who cannot log in, comments in every moderation state, read counts, and the
//! publisher's footer. Everything is derived deterministically from `demo/content.toml`.

pub mod archive;
pub mod illustration;
pub mod picture;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::news::{ArticleStatus, CommentStatus, Lang, Role};
use crate::render::{dates, markdown};
use crate::store::articles::{self, NewArticle};
use crate::store::comments::{self, NewComment};
use crate::store::media::{self, NewMedia};
use crate::store::sections::{self, NewSection};
use crate::store::settings::{self, AdSlot, FooterIdentity};
use crate::store::users::{self, NewUser};
use crate::store::{Db, StoreError, StoreResult, Tx, now_ms, stats};
use picture::lcg;

const CONTENT: &str = include_str!("demo/content.toml");
const MARKER: &str = "demo.loaded";
/// A French article's id, publication time, authors and picture: its translations reuse them.
type FrenchOriginal = (i64, i64, Vec<i64>, i64);

const HOUR: i64 = 3_600_000;

#[derive(Deserialize)]
struct Content {
    authors: Vec<AuthorData>,
    sections: Vec<SectionData>,
    subsections: Vec<SubsectionData>,
    stories: Vec<StoryData>,
    arabic_only: Vec<ArabicData>,
    bodies: BTreeMap<Lang, Vec<String>>,
    subheadings: BTreeMap<Lang, Vec<String>>,
    comments: Vec<CommentData>,
    /// Readers of the Arabic and English editions, on the newest article of each section there.
    #[serde(default)]
    edition_comments: Vec<CommentData>,
}

#[derive(Deserialize)]
struct AuthorData {
    name: String,
    /// The name in Arabic script, for the Arabic edition's bylines.
    #[serde(default)]
    ar: String,
    #[serde(default)]
    bio_ar: String,
    #[serde(default)]
    bio_en: String,
    email: String,
    role: String,
    bio: String,
    /// How a columnist's drawn portrait looks: "short", "beard", "long" or "scarf".
    #[serde(default)]
    portrait: String,
}

#[derive(Deserialize)]
struct SectionData {
    slug: String,
    #[serde(default = "news_kind")]
    kind: String,
    fr: String,
    ar: String,
    en: String,
    signature: String,
    /// The signature as the Arabic and English editions write it.
    #[serde(default)]
    signature_ar: String,
    #[serde(default)]
    signature_en: String,
    /// Columns are signed by these writers (e-mails of `authors`), in turn.
    #[serde(default)]
    columnists: Vec<String>,
    tags: Vec<String>,
    titles: Vec<String>,
}

impl SectionData {
    fn signature_in(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.signature.clone(),
            Lang::Ar => self.signature_ar.clone(),
            Lang::En => self.signature_en.clone(),
        }
    }
}

fn news_kind() -> String {
    "news".into()
}

#[derive(Deserialize)]
struct SubsectionData {
    slug: String,
    parent: String,
    fr: String,
    ar: String,
    en: String,
}

#[derive(Deserialize)]
struct StoryData {
    section: String,
    index: usize,
    ar_title: Option<String>,
    ar_lead: Option<String>,
    en_title: Option<String>,
    en_lead: Option<String>,
}

#[derive(Deserialize)]
struct ArabicData {
    section: String,
    title: String,
    lead: String,
}

#[derive(Deserialize)]
struct CommentData {
    name: String,
    email: String,
    website: String,
    body: String,
    language: String,
    status: Option<String>,
    reason: Option<String>,
}

/// What `load` did, printed by the command.
pub struct Report {
    pub already_loaded: bool,
    pub articles: usize,
    pub comments: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.already_loaded {
            write!(f, "the demo content is already loaded")
        } else {
            write!(f, "loaded the demo content: {} articles, {} comments", self.articles, self.comments)
        }
    }
}

/// Section colours for the generated pictures.
const COLOURS: [[u8; 3]; 9] = [
    [28, 84, 150],
    [150, 40, 50],
    [20, 120, 90],
    [60, 70, 140],
    [160, 90, 30],
    [30, 130, 60],
    [90, 90, 90],
    [120, 50, 120],
    [40, 110, 130],
];

/// Loads the demo content unless it is already there. Safe to run on every start.
pub async fn load(db: &Db, media_dir: &Path) -> StoreResult<Report> {
    if settings::get::<i64>(db, MARKER).await?.is_some() {
        return Ok(Report { already_loaded: true, articles: 0, comments: 0 });
    }
    let content: Content =
        toml::from_str(CONTENT).map_err(|e| StoreError::Other(format!("demo content is invalid: {e}")))?;
    // Pictures first: files are content-addressed, so writing them again is harmless.
    // Two illustrations per section, in its colour, of what it covers.
    let mut pictures = Vec::new();
    for (i, section) in content.sections.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let scene = illustration::Scene::for_section(&section.slug);
        for variant in 0..2u32 {
            let bytes = illustration::jpeg(scene, colour, (i as u32) * 31 + variant * 1009 + 7, 1200, 675);
            let key = crate::media::store_bytes(media_dir, &bytes, "jpg").map_err(|e| {
                StoreError::Other(format!("cannot write demo pictures to {}: {e}", media_dir.display()))
            })?;
            pictures.push((key, bytes.len() as i64, scene));
        }
    }

    // A drawn portrait for each columnist, with the squares bylines show.
    let mut portraits = Vec::new();
    let columnists = content.sections.iter().flat_map(|s| s.columnists.iter());
    for (i, email) in columnists.enumerate() {
        let colour = COLOURS[(i * 4 + 1) % COLOURS.len()];
        let look = content.authors.iter().find(|a| &a.email == email).map(|a| a.portrait.as_str()).unwrap_or("");
        let look = illustration::Look::parse(look);
        let bytes = illustration::portrait_jpeg(look, colour, i as u32 * 97 + 11, 600);
        let cannot =
            |e: String| StoreError::Other(format!("cannot write demo pictures to {}: {e}", media_dir.display()));
        let key = crate::media::store_bytes(media_dir, &bytes, "jpg").map_err(|e| cannot(e.to_string()))?;
        let focus = crate::media::variants::Focus { x: 50, y: 40 };
        let squares = crate::media::portraits::make(media_dir, &key, 0, focus).map_err(cannot)?;
        portraits.push(DemoPortrait { email: email.clone(), key, size: bytes.len() as i64, squares });
    }

    let mut tx = db.begin().await?;
    // Another process may have loaded it while we drew the pictures.
    let marker = sqlx::query("select key from settings where key = $1").bind(MARKER).fetch_optional(&mut *tx).await?;
    if marker.is_some() {
        return Ok(Report { already_loaded: true, articles: 0, comments: 0 });
    }
    let report = load_in(&mut tx, &content, &pictures, &portraits).await?;
    settings::put(&mut tx, MARKER, &now_ms()).await?;
    tx.commit().await?;
    Ok(report)
}

/// A columnist's drawn portrait, written to the media directory before the transaction.
struct DemoPortrait {
    email: String,
    key: String,
    size: i64,
    squares: crate::media::portraits::Portrait,
}

async fn load_in(
    tx: &mut Tx,
    content: &Content,
    pictures: &[(String, i64, illustration::Scene)],
    portraits: &[DemoPortrait],
) -> StoreResult<Report> {
    let now = now_ms();
    save_identity(tx).await?;

    let mut author_ids = Vec::new();
    for author in &content.authors {
        let existing = sqlx::query("select id from users where email = $1")
            .bind(author.email.clone())
            .fetch_optional(&mut **tx)
            .await?;
        let id = match existing {
            Some(row) => crate::store::col(&row, "id")?,
            None => {
                let role = Role::parse(&author.role).unwrap_or(Role::Journalist);
                // No password: demo authors sign articles but nobody can log in as them.
                users::insert(
                    tx,
                    &NewUser { email: &author.email, name: &author.name, role, password_hash: None, bio: &author.bio },
                )
                .await?
                .id
            }
        };
        let profile = users::Profile {
            name: &author.name,
            names: BTreeMap::from([(Lang::Ar, author.ar.clone())]),
            bio: &author.bio,
            bios: BTreeMap::from([(Lang::Ar, author.bio_ar.clone()), (Lang::En, author.bio_en.clone())]),
        };
        users::set_profile(tx, id, &profile).await?;
        author_ids.push(id);
    }
    let author_by_email: BTreeMap<&str, i64> =
        content.authors.iter().map(|a| a.email.as_str()).zip(author_ids.iter().copied()).collect();
    // Reporters sign the news; columnists only their columns.
    let columnists: Vec<i64> = content
        .sections
        .iter()
        .flat_map(|s| s.columnists.iter())
        .filter_map(|email| author_by_email.get(email.as_str()).copied())
        .collect();
    let reporters: Vec<i64> = author_ids.iter().copied().filter(|id| !columnists.contains(id)).collect();
    for portrait in portraits {
        let Some(&user_id) = author_by_email.get(portrait.email.as_str()) else { continue };
        let media_id = media::insert(
            tx,
            &NewMedia {
                storage_key: portrait.key.clone(),
                original_name: format!("portrait-{}.jpg", user_id),
                mime: "image/jpeg".into(),
                width: 600,
                height: 600,
                byte_size: portrait.size,
                caption: String::new(),
                credit: picture_credit(Lang::Fr).into(),
                alt: illustration::Scene::Portrait.describe(Lang::Fr).into(),
                uploaded_by: None,
            },
        )
        .await?;
        let photo = crate::media::portraits::Portrait { media_id, ..portrait.squares.clone() };
        users::set_photo(tx, user_id, Some(&photo)).await?;
    }

    let mut section_ids = BTreeMap::new();
    for (position, section) in content.sections.iter().enumerate() {
        let names = names(&section.fr, &section.ar, &section.en);
        let id = sections::upsert(
            tx,
            &NewSection {
                slug: &section.slug,
                parent_id: None,
                position: position as i64,
                names: &names,
                descriptions: &BTreeMap::new(),
                kind: &section.kind,
            },
        )
        .await?;
        section_ids.insert(section.slug.clone(), id);
    }
    for (position, sub) in content.subsections.iter().enumerate() {
        let parent = section_ids.get(&sub.parent).copied();
        let names = names(&sub.fr, &sub.ar, &sub.en);
        let id = sections::upsert(
            tx,
            &NewSection {
                slug: &sub.slug,
                parent_id: parent,
                position: position as i64,
                names: &names,
                descriptions: &BTreeMap::new(),
                kind: "news",
            },
        )
        .await?;
        section_ids.insert(sub.slug.clone(), id);
    }

    let mut media_ids = Vec::new();
    let mut scene_of: BTreeMap<i64, illustration::Scene> = BTreeMap::new();
    for (n, (key, size, scene)) in pictures.iter().enumerate() {
        let id = media::insert(
            tx,
            &NewMedia {
                storage_key: key.clone(),
                original_name: format!("illustration-{}.jpg", n + 1),
                mime: "image/jpeg".into(),
                width: 1200,
                height: 675,
                byte_size: *size,
                caption: String::new(),
                credit: picture_credit(Lang::Fr).into(),
                alt: scene.describe(Lang::Fr).into(),
                uploaded_by: None,
            },
        )
        .await?;
        crate::jobs::enqueue(tx, &crate::jobs::Job::MakeVariants { media_id: id }, now, 8).await?;
        media_ids.push(id);
        scene_of.insert(id, *scene);
    }

    let tz = chrono_tz::Africa::Casablanca;
    let mut count = 0;
    // (section, index) -> the French original of each story, which translations follow.
    let mut french_ids: BTreeMap<(String, usize), FrenchOriginal> = BTreeMap::new();
    let mut published_ids = Vec::new();
    // (id, publication, language, section) of the Arabic and English articles, for their comments.
    let mut edition_articles: Vec<(i64, i64, Lang, String)> = Vec::new();
    // French: interleave sections so every list mixes them; newest first.
    let per_section = content.sections.iter().map(|s| s.titles.len()).max().unwrap_or(0);
    let mut k: i64 = 0;
    for index in 0..per_section {
        for (s, section) in content.sections.iter().enumerate() {
            let Some(title) = section.titles.get(index) else { continue };
            let seed = (s * 100 + index) as u32;
            let publish_at = now - (k * 5 + (lcg(seed) % 4) as i64) * HOUR - 20 * 60_000;
            let body = body(content, Lang::Fr, seed);
            let lead = lead_from(content, Lang::Fr, seed);
            let picture = media_ids[(s * 2 + index % 2) % media_ids.len()];
            let writers: Vec<i64> =
                section.columnists.iter().filter_map(|email| author_by_email.get(email.as_str()).copied()).collect();
            let authors = if !writers.is_empty() {
                vec![writers[index % writers.len()]]
            } else if index % 4 == 1 {
                vec![reporters[(s + index) % reporters.len()], reporters[(s + index + 1) % reporters.len()]]
            } else {
                vec![reporters[(s + index) % reporters.len()]]
            };
            let tags = vec![
                section.tags[index % section.tags.len()].clone(),
                section.tags[(index + 2) % section.tags.len()].clone(),
            ];
            let article = NewArticle {
                slug: String::new(),
                section_id: section_ids[&section.slug],
                language: Lang::Fr,
                translation_group: None,
                title: title.clone(),
                lead,
                body_html: markdown::to_safe_html(&body),
                body_markdown: body,
                signature: section.signature.clone(),
                status: ArticleStatus::Published,
                publish_at: Some(publish_at),
                featured_media_id: Some(picture),
                featured_caption: String::new(),
                featured_credit: String::new(),
                featured_alt: String::new(),
                front_position: match k {
                    0 => Some(0),
                    1..=4 => Some(k),
                    _ => None,
                },
                comments_mode: "open".into(),
                author_ids: authors.clone(),
                tags: dedup(tags),
                created_by: None,
                created_at: Some(publish_at - HOUR),
            };
            let id = articles::insert(tx, &article).await?;
            french_ids.insert((section.slug.clone(), index), (id, publish_at, authors, picture));
            published_ids.push((id, publish_at, seed));
            count += 1;
            k += 1;
        }
    }

    // Translations: Arabic and English versions in the French article's group.
    for (n, story) in content.stories.iter().enumerate() {
        let Some((group, fr_at, fr_authors, fr_picture)) =
            french_ids.get(&(story.section.clone(), story.index)).cloned()
        else {
            continue;
        };
        let section_id = section_ids[&story.section];
        let section = content.sections.iter().find(|s| s.slug == story.section);
        let mut versions = Vec::new();
        if let (Some(title), Some(lead)) = (&story.en_title, &story.en_lead) {
            versions.push((Lang::En, title.clone(), lead.clone()));
        }
        if let (Some(title), Some(lead)) = (&story.ar_title, &story.ar_lead) {
            versions.push((Lang::Ar, title.clone(), lead.clone()));
        }
        for (lang, title, lead) in versions {
            let seed = 5000 + n as u32 * 7 + u32::from(lang == Lang::Ar);
            let body = body(content, lang, seed);
            let at = fr_at + 30 * 60_000;
            let id = articles::insert(
                tx,
                &NewArticle {
                    slug: String::new(),
                    section_id,
                    language: lang,
                    translation_group: Some(group),
                    title,
                    lead,
                    body_html: markdown::to_safe_html(&body),
                    body_markdown: body,
                    signature: section.map(|s| s.signature_in(lang)).unwrap_or_default(),
                    status: ArticleStatus::Published,
                    publish_at: Some(at),
                    featured_media_id: Some(fr_picture),
                    featured_caption: String::new(),
                    featured_credit: picture_credit(lang).into(),
                    featured_alt: scene_of.get(&fr_picture).map(|s| s.describe(lang)).unwrap_or_default().into(),
                    front_position: None,
                    comments_mode: "open".into(),
                    author_ids: fr_authors.clone(),
                    tags: Vec::new(),
                    created_by: None,
                    created_at: Some(at - HOUR),
                },
            )
            .await?;
            published_ids.push((id, at, seed));
            edition_articles.push((id, at, lang, story.section.clone()));
            count += 1;
        }
    }

    for (n, item) in content.arabic_only.iter().enumerate() {
        let seed = 7000 + n as u32;
        let s = content.sections.iter().position(|x| x.slug == item.section).unwrap_or(0);
        let picture = media_ids[(s * 2 + n % 2) % media_ids.len()];
        let body = body(content, Lang::Ar, seed);
        let at = now - (n as i64 * 9 + 2) * HOUR;
        let id = articles::insert(
            tx,
            &NewArticle {
                slug: String::new(),
                section_id: section_ids[&item.section],
                language: Lang::Ar,
                translation_group: None,
                title: item.title.clone(),
                lead: item.lead.clone(),
                body_html: markdown::to_safe_html(&body),
                body_markdown: body,
                signature: content
                    .sections
                    .iter()
                    .find(|s| s.slug == item.section)
                    .map(|s| s.signature_in(Lang::Ar))
                    .unwrap_or_default(),
                status: ArticleStatus::Published,
                publish_at: Some(at),
                featured_media_id: Some(picture),
                featured_caption: String::new(),
                featured_credit: picture_credit(Lang::Ar).into(),
                featured_alt: scene_of.get(&picture).map(|s| s.describe(Lang::Ar)).unwrap_or_default().into(),
                front_position: None,
                comments_mode: "open".into(),
                author_ids: vec![reporters[n % reporters.len()]],
                tags: Vec::new(),
                created_by: None,
                created_at: Some(at - HOUR),
            },
        )
        .await?;
        published_ids.push((id, at, seed));
        edition_articles.push((id, at, Lang::Ar, item.section.clone()));
        count += 1;
    }

    // The newsroom's work in progress: not on the site, but in the desk's lists.
    let sport = section_ids.get("sport").copied().unwrap_or_else(|| section_ids.values().next().copied().unwrap_or(1));
    for (title, status, publish_at) in [
        ("Brouillon : la saison de basket-ball en cinq questions", ArticleStatus::Draft, None),
        ("En relecture : les clubs amateurs face à la hausse des coûts", ArticleStatus::Review, None),
        ("Programmé : le calendrier complet de la Coupe du Trône", ArticleStatus::Scheduled, Some(now + 24 * HOUR)),
    ] {
        let body = body(content, Lang::Fr, 9000);
        let id = articles::insert(
            tx,
            &NewArticle {
                slug: String::new(),
                section_id: sport,
                language: Lang::Fr,
                translation_group: None,
                title: title.into(),
                lead: lead_from(content, Lang::Fr, 9001),
                body_html: markdown::to_safe_html(&body),
                body_markdown: body,
                signature: "Gazette Sport".into(),
                status,
                publish_at,
                featured_media_id: None,
                featured_caption: String::new(),
                featured_credit: String::new(),
                featured_alt: String::new(),
                front_position: None,
                comments_mode: "open".into(),
                author_ids: vec![author_ids[0]],
                tags: Vec::new(),
                created_by: None,
                created_at: None,
            },
        )
        .await?;
        if let Some(at) = publish_at {
            crate::jobs::enqueue(tx, &crate::jobs::Job::PublishArticle { article_id: id }, at, 8).await?;
        }
    }

    // Read counts and likes, so "most read" has something to rank. Readers keep reading a
    // story the days after it appeared: the last two days' stories are read today too, so that
    // a demo opened just after midnight still has a "most read today".
    let today = dates::local_day(now, tz);
    for (id, at, seed) in &published_ids {
        let reads = 40 + (lcg(*seed ^ 0xa5a5) % 1900) as i64;
        let likes = reads / (8 + (lcg(*seed) % 12) as i64);
        let day = dates::local_day(*at, tz);
        if day < today && today - day <= 2 {
            stats::add(tx, *id, day, reads - reads / 4, likes).await?;
            stats::add(tx, *id, today, reads / 4, 0).await?;
        } else {
            stats::add(tx, *id, day, reads, likes).await?;
        }
    }

    let mut comment_count = 0;
    for (a, (id, at, _)) in published_ids.iter().take(12).enumerate() {
        let mut first_approved = None;
        for (c, data) in content.comments.iter().enumerate() {
            // Spread the comments: each article gets a rotating subset.
            if (a + c) % 3 == 2 && data.status.is_none() {
                continue;
            }
            if data.status.is_some() && a % 4 != 0 {
                continue;
            }
            let status = data.status.as_deref().and_then(CommentStatus::parse).unwrap_or(CommentStatus::Approved);
            let parent_id = if status == CommentStatus::Approved && c == 4 { first_approved } else { None };
            let comment_id = comments::insert(
                tx,
                &NewComment {
                    article_id: *id,
                    parent_id,
                    author_name: data.name.clone(),
                    author_email: data.email.clone(),
                    author_website: data.website.clone(),
                    body: data.body.clone(),
                    language: data.language.clone(),
                    status,
                    refusal_reason: data.reason.clone(),
                    screening: "{}".into(),
                    ip_hash: String::new(),
                    created_at: Some(at + (c as i64 + 1) * 25 * 60_000),
                },
            )
            .await?;
            if status == CommentStatus::Approved && first_approved.is_none() {
                first_approved = Some(comment_id);
            }
            comment_count += 1;
        }
    }

    // The other editions' readers write in their language, under each section's newest story.
    edition_articles.sort_by_key(|(_, at, _, _)| std::cmp::Reverse(*at));
    let mut commented: Vec<(Lang, String)> = Vec::new();
    for (k, (id, at, lang, section)) in edition_articles.iter().enumerate() {
        if commented.contains(&(*lang, section.clone())) {
            continue;
        }
        commented.push((*lang, section.clone()));
        let readers = content.edition_comments.iter().filter(|c| Lang::parse(&c.language) == Some(*lang));
        for (c, data) in readers.enumerate() {
            if (k + c) % 4 == 3 {
                continue;
            }
            comments::insert(
                tx,
                &NewComment {
                    article_id: *id,
                    parent_id: None,
                    author_name: data.name.clone(),
                    author_email: data.email.clone(),
                    author_website: data.website.clone(),
                    body: data.body.clone(),
                    language: data.language.clone(),
                    status: CommentStatus::Approved,
                    refusal_reason: None,
                    screening: "{}".into(),
                    ip_hash: String::new(),
                    created_at: Some(at + (c as i64 + 1) * 40 * 60_000),
                },
            )
            .await?;
            comment_count += 1;
        }
    }

    Ok(Report { already_loaded: false, articles: count, comments: comment_count })
}

async fn save_identity(tx: &mut Tx) -> StoreResult<()> {
    let mut site = settings::SiteSettings {
        name: "La Gazette".into(),
        names: other_editions("الجريدة", "The Gazette"),
        ..Default::default()
    };
    site.footer = FooterIdentity {
        publisher: "La Gazette, quotidien d'information (démonstration)".into(),
        address: "12, boulevard de la Corniche, Casablanca".into(),
        publishers: other_editions(
            "الجريدة، يومية إخبارية (نسخة تجريبية)",
            "The Gazette, a daily newspaper (demonstration)",
        ),
        addresses: other_editions("12، شارع الكورنيش، الدار البيضاء", "12 Corniche Boulevard, Casablanca"),
        phone: "0500 00 00 00".into(),
        fax: "0500 00 00 01".into(),
        founded_year: Some(2026),
    };
    // A breaking-news banner in each edition, for a month after the demo is loaded.
    site.breaking = settings::Breaking {
        text: "Séisme de magnitude 4,1 ressenti à Agadir : aucune victime signalée".into(),
        url: "/actualite".into(),
        until: Some(now_ms() + 30 * 24 * HOUR),
        texts: names(
            "Séisme de magnitude 4,1 ressenti à Agadir : aucune victime signalée",
            "هزة أرضية بقوة 4,1 درجات تضرب أكادير دون تسجيل ضحايا",
            "A magnitude 4.1 earthquake felt in Agadir: no casualties reported",
        ),
        urls: names("/actualite", "/ar/actualite", "/en/actualite"),
    };
    settings::save_site(tx, &site).await?;
    for (slot, html) in house_ads() {
        settings::put_ad_slot(tx, &AdSlot { name: slot, html }).await?;
    }
    Ok(())
}

/// The credit of a demo picture, as an edition writes it (the media library's own is in
/// French, the newsroom's language).
fn picture_credit(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Illustration La Gazette",
        Lang::Ar => "رسم: الجريدة",
        Lang::En => "Illustration: The Gazette",
    }
}

/// The paper's own ads, one set per edition, in its language: what a reader of the demo sees
/// in every slot (`header.ar` and so on), styled by the theme's `.house-ad`.
fn house_ads() -> Vec<(String, String)> {
    let editions = [
        (
            Lang::Fr,
            "",
            ["La Gazette", "Toute l'actualité dans votre lecteur de flux, dès sa publication", "S'abonner au flux"],
            [
                "Annoncez dans La Gazette",
                "Nos lecteurs vous lisent ici, en français, en arabe et en anglais.",
                "Contacter la régie",
            ],
            [
                "Archives",
                "Chaque article, chaque jour, depuis le premier numéro : cherchez dans l'archive.",
                "Chercher",
            ],
        ),
        (
            Lang::Ar,
            "/ar",
            ["الجريدة", "كل الأخبار في قارئ الخلاصات فور نشرها", "اشترك في الخلاصة"],
            ["أعلنوا في الجريدة", "قراؤنا يقرؤونكم هنا، بالعربية والفرنسية والإنجليزية.", "اتصلوا بقسم الإعلانات"],
            ["الأرشيف", "كل مقال، كل يوم، منذ العدد الأول: ابحثوا في الأرشيف.", "ابحث"],
        ),
        (
            Lang::En,
            "/en",
            ["The Gazette", "All the news in your feed reader, as soon as it is published", "Follow the feed"],
            [
                "Advertise in The Gazette",
                "Our readers read you here, in French, Arabic and English.",
                "Contact our ad desk",
            ],
            ["Archive", "Every article, every day, since the first issue: search the archive.", "Search"],
        ),
    ];
    let mut ads = Vec::new();
    for (lang, prefix, banner, box_ad, bottom) in editions {
        let code = lang.code();
        ads.push((
            format!("header.{code}"),
            format!(
                r#"<a class="house-ad house-ad-banner" href="{prefix}/feeds/rss.xml"><span class="house-ad-brand">{}</span><span class="house-ad-text">{}</span><span class="house-ad-cta">{}</span></a>"#,
                banner[0], banner[1], banner[2]
            ),
        ));
        ads.push((
            format!("sidebar.{code}"),
            format!(
                r#"<a class="house-ad house-ad-box" href="mailto:publicite@demo.example"><span class="house-ad-brand">{}</span><span class="house-ad-text">{}</span><span class="house-ad-cta">{}</span></a>"#,
                box_ad[0], box_ad[1], box_ad[2]
            ),
        ));
        ads.push((
            format!("article-bottom.{code}"),
            format!(
                r#"<a class="house-ad house-ad-wide" href="{prefix}/recherche"><span class="house-ad-brand">{}</span><span class="house-ad-text">{}</span><span class="house-ad-cta">{}</span></a>"#,
                bottom[0], bottom[1], bottom[2]
            ),
        ));
    }
    ads
}

fn names(fr: &str, ar: &str, en: &str) -> BTreeMap<Lang, String> {
    BTreeMap::from([(Lang::Fr, fr.to_string()), (Lang::Ar, ar.to_string()), (Lang::En, en.to_string())])
}

/// What the Arabic and English editions write where the plain setting holds the French.
fn other_editions(ar: &str, en: &str) -> BTreeMap<Lang, String> {
    BTreeMap::from([(Lang::Ar, ar.to_string()), (Lang::En, en.to_string())])
}

fn dedup(mut tags: Vec<String>) -> Vec<String> {
    tags.dedup();
    tags
}

fn sentences(content: &Content, lang: Lang) -> &[String] {
    content.bodies.get(&lang).map(Vec::as_slice).unwrap_or(&[])
}

/// A lead: two sentences of the language's bank.
fn lead_from(content: &Content, lang: Lang, seed: u32) -> String {
    let bank = sentences(content, lang);
    if bank.is_empty() {
        return String::new();
    }
    let a = lcg(seed) as usize % bank.len();
    let b = (a + 1 + lcg(seed ^ 77) as usize % (bank.len() - 1).max(1)) % bank.len();
    format!("{} {}", bank[a], bank[b])
}

/// A body in Markdown: four to six paragraphs, a sub-heading in the middle.
fn body(content: &Content, lang: Lang, seed: u32) -> String {
    let bank = sentences(content, lang);
    let headings = content.subheadings.get(&lang).map(Vec::as_slice).unwrap_or(&[]);
    if bank.is_empty() {
        return String::new();
    }
    let paragraphs = 4 + (lcg(seed) % 3) as usize;
    let mut state = lcg(seed ^ 0x9e37);
    let mut out = String::new();
    for p in 0..paragraphs {
        if p == paragraphs / 2 && !headings.is_empty() {
            out.push_str("## ");
            out.push_str(&headings[(seed as usize + p) % headings.len()]);
            out.push_str("\n\n");
        }
        let count = 3 + (state % 3) as usize;
        let mut sentences_out = Vec::with_capacity(count);
        for _ in 0..count {
            state = lcg(state);
            sentences_out.push(bank[(state >> 8) as usize % bank.len()].as_str());
        }
        out.push_str(&sentences_out.join(" "));
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_has_the_promised_shape() {
        let content: Content = toml::from_str(CONTENT).unwrap();
        assert!(content.sections.len() >= 8);
        let french: usize = content.sections.iter().map(|s| s.titles.len()).sum();
        assert!(french >= 80, "{french} French articles");
        let arabic = content.arabic_only.len() + content.stories.iter().filter(|s| s.ar_title.is_some()).count();
        assert!(arabic >= 20, "{arabic} Arabic articles");
        // Each translated story points at a French title that exists.
        for story in &content.stories {
            let section = content.sections.iter().find(|s| s.slug == story.section);
            assert!(section.is_some_and(|s| story.index < s.titles.len()), "story {}/{}", story.section, story.index);
        }
        // Columnists are authors, and each section signs in the three languages.
        let emails: Vec<&str> = content.authors.iter().map(|a| a.email.as_str()).collect();
        for section in &content.sections {
            assert!(section.columnists.iter().all(|c| emails.contains(&c.as_str())), "{}", section.slug);
            let signs_everywhere = !section.signature_ar.is_empty() && !section.signature_en.is_empty();
            assert!(signs_everywhere || !section.columnists.is_empty(), "{}", section.slug);
        }
        assert!(content.authors.iter().all(|a| !a.ar.is_empty()), "every author has an Arabic name");
        let states: std::collections::BTreeSet<&str> =
            content.comments.iter().map(|c| c.status.as_deref().unwrap_or("approved")).collect();
        assert_eq!(states.len(), 4, "comments in every state: {states:?}");
    }

    #[test]
    fn bodies_are_deterministic_markdown() {
        let content: Content = toml::from_str(CONTENT).unwrap();
        assert_eq!(body(&content, Lang::Fr, 3), body(&content, Lang::Fr, 3));
        assert!(body(&content, Lang::Ar, 3).contains("## "));
    }
}
