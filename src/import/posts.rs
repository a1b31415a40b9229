//! The second pass's items: posts become articles, pages become pages, each with its old
//! addresses and (for posts) its comments.

use std::collections::BTreeMap;

use super::addresses::old_addresses;
use super::comments::{import_comments, is_comment};
use super::report::{CREATED, Report, UNCHANGED, UPDATED, change_of};
use super::{Context, ImportError, fingerprint};
use crate::jobs::{self, Job};
use crate::news::text::text_of_html;
use crate::news::{ArticleStatus, Lang};
use crate::store::articles::{self, NewArticle};
use crate::store::imports::{self, ImportedArticle, NewPage};
use crate::store::redirects::{self, RedirectTarget};
use crate::store::sections::{self, NewSection};
use crate::store::{Db, Tx, now_ms};
use crate::wxr::content;
use crate::wxr::{self, Item};

/// Where SEO plugins keep a post's description: Yoast, Rank Math, All in One SEO.
const SEO_DESCRIPTIONS: &[&str] = &["_yoast_wpseo_metadesc", "rank_math_description", "_aioseo_description"];

/// An SEO plugin's description written as a template of its variables (Yoast's `%%title%%`,
/// Rank Math's `%excerpt%`, All in One SEO's `#post_excerpt`), not a summary.
fn is_seo_template(text: &str) -> bool {
    let percent_variable = text.split('%').skip(1).step_by(2).any(|name| {
        !name.is_empty() && name.len() <= 40 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    text.contains("%%") || percent_variable || text.contains("#post_") || text.contains("#site_")
}

/// The status an article takes from a WordPress post status; `None`: not imported.
fn article_status(status: &str) -> Option<ArticleStatus> {
    Some(match status {
        "publish" => ArticleStatus::Published,
        "draft" | "auto-draft" => ArticleStatus::Draft,
        "pending" => ArticleStatus::Review,
        "future" => ArticleStatus::Scheduled,
        "private" => ArticleStatus::Unpublished,
        _ => return None,
    })
}

/// A post's time: the GMT field, else the local one in the site's zone.
fn item_time(item: &Item, tz: chrono_tz::Tz) -> Option<i64> {
    wxr::parse_gmt(&item.post_date_gmt).or_else(|| wxr::parse_local(&item.post_date, tz))
}

pub(super) async fn import_item(
    tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    match item.post_type.as_str() {
        "post" | "" => import_post(tx, db, ctx, item, report).await,
        "page" => import_page(tx, db, ctx, item, report).await,
        other => {
            report.skip(format!("item {} ({other})", item.post_id), &format!("a WordPress {other}, not content"));
            Ok(())
        }
    }
}

async fn lookup_any(
    tx: &mut Option<&mut Tx>,
    db: &Db,
    source: &str,
    kind: &str,
    id: &str,
) -> Result<Option<(i64, String)>, ImportError> {
    Ok(match tx {
        Some(tx) => imports::lookup(tx, source, kind, id).await?,
        None => {
            let mut conn = db.reader().acquire().await?;
            imports::lookup(&mut conn, source, kind, id).await?
        }
    })
}

async fn import_post(
    mut tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    let Some(status) = article_status(&item.status) else {
        report.skip(format!("post {} «{}»", item.post_id, item.title), &format!("status {:?}", item.status));
        return Ok(());
    };
    let language = item
        .terms_of("language")
        .next()
        .and_then(|t| Lang::parse(&t.nicename.to_ascii_lowercase()))
        .unwrap_or_else(|| written_in(&item.title, &item.content, ctx.language));
    let converted = content::convert(&item.content, ctx);
    let title = text_of_html(&item.title);
    let title = if title.is_empty() { format!("Sans titre ({})", item.post_id) } else { title };
    // An SEO plugin's description is the editor's own summary of the story: the lead when the
    // post has no excerpt (one made of Yoast's %%variables%% is a template, not a summary).
    let seo_description = SEO_DESCRIPTIONS
        .iter()
        .filter_map(|key| item.meta(key))
        .map(text_of_html)
        .find(|text| !text.trim().is_empty() && !is_seo_template(text));
    let excerpt = text_of_html(&item.excerpt);
    // The description counts only where it is the lead (and so in the fingerprint).
    let seo_lead = seo_description.filter(|_| excerpt.is_empty());
    let lead = match (&seo_lead, excerpt.is_empty()) {
        (Some(description), _) => description.clone(),
        (None, false) => excerpt,
        (None, true) => crate::news::excerpt::excerpt(&text_of_html(&converted.html), 240),
    };
    let at = item_time(item, ctx.tz);
    let publish_at = match status {
        ArticleStatus::Draft | ArticleStatus::Review => None,
        _ => at,
    };
    let section_id = item.terms_of("category").find_map(|t| ctx.sections.get(&t.nicename).copied());
    let tags: Vec<String> = item
        .terms_of("post_tag")
        .map(|t| ctx.tag_names.get(&t.nicename).cloned().unwrap_or_else(|| text_of_html(&t.name)))
        .filter(|t| !t.trim().is_empty())
        .collect();
    let author_ids: Vec<i64> = ctx.authors.get(&item.creator).copied().into_iter().filter(|id| *id != 0).collect();
    let featured = item.meta("_thumbnail_id").and_then(|id| ctx.attachments.get(id));
    let comments_mode = if item.comment_status == "closed" { "closed" } else { "open" };
    let terms_and_people = format!(
        "{:?}{:?}{:?}",
        item.terms.iter().map(|t| &t.nicename).collect::<Vec<_>>(),
        item.creator,
        item.meta("_thumbnail_id")
    );
    let mut fingerprinted = vec![
        item.title.as_str(),
        &item.content,
        &item.excerpt,
        &item.status,
        &item.post_date_gmt,
        &item.post_date,
        &terms_and_people,
        &item.comment_status,
    ];
    // Only when it is the lead, so that every other post keeps the fingerprint earlier runs
    // recorded (a changed fingerprint means an update, which overwrites newsroom edits).
    fingerprinted.extend(seo_lead.as_deref());
    let fp = fingerprint(&fingerprinted);
    let known = lookup_any(&mut tx, db, &ctx.source, "post", &item.post_id).await?;
    report.shortcodes.add(&converted.shortcodes);
    let what = change_of(&known, &fp);
    report.count("article", what);
    let Some(tx) = tx else {
        // A dry run still reads the comments, for the counts.
        for comment in &item.comments {
            if is_comment(comment) {
                report.count("comment", CREATED);
            }
        }
        return Ok(());
    };
    let section_id = match section_id {
        Some(id) => id,
        None => fallback_section(tx, ctx).await?,
    };
    let article_id = match (what, &known) {
        (UNCHANGED, Some((id, _))) => *id,
        (UPDATED, Some((id, _))) => {
            imports::update_article(
                tx,
                *id,
                &ImportedArticle {
                    title: &title,
                    lead: &lead,
                    body_markdown: &converted.markdown,
                    body_html: &converted.html,
                    section_id,
                    language,
                    status,
                    publish_at,
                    featured_media_id: featured.and_then(|f| f.media_id),
                    featured_caption: featured.map(|f| f.caption.as_str()).unwrap_or(""),
                    featured_alt: featured.map(|f| f.alt.as_str()).unwrap_or(""),
                    comments_mode,
                    author_ids: &author_ids,
                    tags: &tags,
                },
            )
            .await?;
            *id
        }
        _ => {
            articles::insert(
                tx,
                &NewArticle {
                    slug: crate::urls::percent_decode(&item.post_name),
                    section_id,
                    language,
                    translation_group: None,
                    title: title.clone(),
                    lead: lead.clone(),
                    body_markdown: converted.markdown.clone(),
                    body_html: converted.html.clone(),
                    signature: String::new(),
                    status,
                    publish_at,
                    featured_media_id: featured.and_then(|f| f.media_id),
                    featured_caption: featured.map(|f| f.caption.clone()).unwrap_or_default(),
                    featured_credit: String::new(),
                    featured_alt: featured.map(|f| f.alt.clone()).unwrap_or_default(),
                    front_position: None,
                    comments_mode: comments_mode.to_string(),
                    author_ids: author_ids.clone(),
                    tags: tags.clone(),
                    created_by: None,
                    created_at: at,
                },
            )
            .await?
        }
    };
    // Polylang puts a story's languages under one `post_translations` term: the first of them
    // met names the group, the others join it, whatever the batch or the run (an article
    // imported before the group was known joins it on the next run).
    if let Some(term) = item.terms_of("post_translations").next() {
        match imports::lookup(tx, &ctx.source, "translations", &term.nicename).await? {
            Some((group, _)) => imports::set_translation_group(tx, article_id, group).await?,
            None => {
                let group = imports::translation_group_of(tx, article_id).await?.unwrap_or(article_id);
                imports::record(tx, &ctx.source, "translations", &term.nicename, group, "").await?;
            }
        }
    }
    if what != UNCHANGED {
        imports::record(tx, &ctx.source, "post", &item.post_id, article_id, &fp).await?;
        if status == ArticleStatus::Scheduled
            && let Some(at) = publish_at
        {
            jobs::enqueue(tx, &Job::PublishArticle { article_id }, at, 8).await?;
        }
        for path in old_addresses(ctx, item) {
            redirects::put(tx, &path, RedirectTarget::Article(article_id)).await?;
            report.redirects += 1;
        }
    }
    import_comments(tx, ctx, item, article_id, language, report).await
}

/// The language of a post that does not say: Arabic when its title and text are mostly in
/// Arabic script (WMaker exports carry no language per post), else the site's.
fn written_in(title: &str, content: &str, site: Lang) -> Lang {
    let sample: String = title.chars().chain(text_of_html(content).chars().take(2000)).collect();
    let arabic = sample.chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count();
    let latin = sample.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if arabic > latin { Lang::Ar } else { site }
}

/// The section for posts without a category: "Archives", made once.
async fn fallback_section(tx: &mut Tx, ctx: &Context) -> Result<i64, ImportError> {
    if let Some(id) = imports::section_id(tx, "archives").await? {
        return Ok(id);
    }
    let mut names = BTreeMap::new();
    names.insert(ctx.language, "Archives".to_string());
    Ok(sections::upsert(
        tx,
        &NewSection {
            slug: "archives",
            parent_id: None,
            position: 1000,
            names: &names,
            descriptions: &BTreeMap::new(),
            kind: "news",
        },
    )
    .await?)
}

async fn import_page(
    mut tx: Option<&mut Tx>,
    db: &Db,
    ctx: &Context,
    item: &Item,
    report: &mut Report,
) -> Result<(), ImportError> {
    if !matches!(item.status.as_str(), "publish" | "private" | "draft" | "pending" | "future") {
        report.skip(format!("page {} «{}»", item.post_id, item.title), &format!("status {:?}", item.status));
        return Ok(());
    }
    let converted = content::convert(&item.content, ctx);
    report.shortcodes.add(&converted.shortcodes);
    let title = text_of_html(&item.title);
    let fp = fingerprint(&[&item.title, &item.content, &item.status]);
    let known = lookup_any(&mut tx, db, &ctx.source, "page", &item.post_id).await?;
    let what = change_of(&known, &fp);
    report.count("page", what);
    let Some(tx) = tx else { return Ok(()) };
    if what == UNCHANGED {
        return Ok(());
    }
    let wanted = crate::urls::percent_decode(&item.post_name);
    let page = NewPage {
        slug: if wanted.trim().is_empty() { &title } else { &wanted },
        language: ctx.language,
        title: &title,
        body_html: &converted.html,
        created_at: item_time(item, ctx.tz).unwrap_or_else(now_ms),
    };
    let (id, slug) = match known {
        Some((id, _)) => (id, imports::update_page(tx, id, &page).await?),
        None => imports::insert_page(tx, &page).await?,
    };
    imports::record(tx, &ctx.source, "page", &item.post_id, id, &fp).await?;
    for path in old_addresses(ctx, item) {
        if path != format!("/{slug}") {
            redirects::put(tx, &path, RedirectTarget::Path(&format!("/{slug}"))).await?;
            report.redirects += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seo_templates_are_not_summaries() {
        for template in
            ["%%title%% %%sep%% %%sitename%%", "%excerpt% - %sitename%", "#post_excerpt #separator_sa #site_title"]
        {
            assert!(is_seo_template(template), "{template}");
        }
        for summary in ["Le budget croît de 4 % et l'emploi de 2 %.", "100% des votes", "Un résumé simple."] {
            assert!(!is_seo_template(summary), "{summary}");
        }
    }
}
