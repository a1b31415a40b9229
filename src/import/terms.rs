//! The first pass's people and terms: authors become accounts that cannot log in until
//! invited, categories become sections (parents first), tags keep their names; each with the
//! redirects from its old address.

use std::collections::BTreeMap;

use super::report::{CREATED, Report, UNCHANGED, UPDATED, change_of};
use super::{Context, ImportError, fingerprint};
use crate::news::text::text_of_html;
use crate::store::imports;
use crate::store::redirects::{self, RedirectTarget};
use crate::store::sections::{self, NewSection};
use crate::store::users::{self, NewUser};
use crate::store::{Db, Tx};
use crate::wxr::{self, TermKind};

/// Authors become users who cannot log in until invited; categories become sections (parents
/// first); tags keep their names. One transaction.
pub(super) async fn import_people_and_terms(
    db: &Db,
    ctx: &mut Context,
    authors: &[wxr::Author],
    terms: &[wxr::Term],
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut tx = db.begin().await?;
    for author in authors {
        let login = if author.login.is_empty() { author.display_name.clone() } else { author.login.clone() };
        let email = if crate::news::looks_like_email(&author.email) {
            users::normalize_email(&author.email)
        } else {
            // An author without an address still signs articles; the address is a placeholder
            // an admin replaces before inviting them.
            format!("{}@imported.invalid", crate::news::slug::slugify(&login))
        };
        let name = [author.display_name.as_str(), &format!("{} {}", author.first_name, author.last_name), &login]
            .into_iter()
            .map(str::trim)
            .find(|n| !n.is_empty())
            .unwrap_or("Auteur")
            .to_string();
        let fp = fingerprint(&[&email, &name]);
        let known = imports::lookup(&mut tx, &ctx.source, "author", &login).await?;
        let id = match (known, imports::user_by_email(&mut tx, &email).await?) {
            (Some((id, old)), _) => {
                report.count("author", if old == fp { UNCHANGED } else { UPDATED });
                id
            }
            (None, Some(id)) => {
                report.count("author", UNCHANGED);
                id
            }
            (None, None) => {
                report.count("author", CREATED);
                if ctx.dry_run {
                    0
                } else {
                    let user = users::insert(
                        &mut tx,
                        &NewUser {
                            email: &email,
                            name: &name,
                            role: crate::news::Role::Journalist,
                            password_hash: None,
                            bio: "",
                        },
                    )
                    .await?;
                    users::set_disabled(&mut tx, user.id, true).await?;
                    user.id
                }
            }
        };
        if !ctx.dry_run {
            imports::record(&mut tx, &ctx.source, "author", &login, id, &fp).await?;
            if let Some(slug) = imports::user_slug(&mut tx, id).await? {
                // WordPress's author address uses the account's "nicename", which the export
                // does not carry: it is the login made into a slug (`Jean Dupont` →
                // `jean-dupont`) unless someone changed it by hand.
                let mut logins = vec![author.login.clone(), crate::news::slug::slugify(&author.login)];
                logins.dedup();
                for login in logins.iter().filter(|login| !login.is_empty()) {
                    let old = format!("/author/{login}");
                    redirects::put(&mut tx, &old, RedirectTarget::Path(&format!("/auteur/{slug}"))).await?;
                    report.redirects += 1;
                    put_feed_redirects(&mut tx, &old, &format!("/feeds/auteur/{slug}"), report).await?;
                }
            }
        }
        ctx.authors.insert(author.login.clone(), id);
    }

    // Categories, parents before children whatever the file's order.
    let categories: Vec<&wxr::Term> = terms.iter().filter(|t| t.kind == TermKind::Category).collect();
    let mut placed: Vec<&wxr::Term> = Vec::new();
    let mut left: Vec<&wxr::Term> = categories.clone();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|t| {
            let ready = t.parent_slug.is_empty()
                || placed.iter().any(|p| p.slug == t.parent_slug)
                || !categories.iter().any(|c| c.slug == t.parent_slug);
            if ready {
                placed.push(t);
            }
            !ready
        });
        if left.len() == before {
            // A cycle of parents: take the rest as top-level sections.
            placed.append(&mut left);
        }
    }
    let existing = sections::all(db).await?;
    let mut position = existing.iter().map(|s| s.position).max().unwrap_or(0);
    // Category slug in the file → the section's slug here, for the nested feed addresses.
    let mut our_slugs: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for term in placed {
        let wanted = crate::news::slug::slugify(&crate::urls::percent_decode(&term.slug));
        let known = imports::lookup(&mut tx, &ctx.source, "category", &term.slug).await?;
        let parent_id = ctx.sections.get(&term.parent_slug).copied().filter(|id| *id != 0);
        let fp = fingerprint(&[&term.name, &term.parent_slug, &term.description]);
        let slug = match &known {
            Some((id, _)) => sections::by_id(db, *id).await?.map(|s| s.slug).unwrap_or(wanted.clone()),
            None => imports::free_section_slug(&mut tx, &wanted).await?,
        };
        let mut names = BTreeMap::new();
        names.insert(ctx.language, text_of_html(&term.name));
        let mut descriptions = BTreeMap::new();
        if !term.description.is_empty() {
            descriptions.insert(ctx.language, text_of_html(&term.description));
        }
        let what = change_of(&known, &fp);
        report.count("section", what);
        let id = if ctx.dry_run || what == UNCHANGED {
            known.map(|(id, _)| id).unwrap_or(0)
        } else {
            position += 1;
            let id = sections::upsert(
                &mut tx,
                &NewSection {
                    slug: &slug,
                    parent_id,
                    position,
                    names: &names,
                    descriptions: &descriptions,
                    kind: "news",
                },
            )
            .await?;
            imports::record(&mut tx, &ctx.source, "category", &term.slug, id, &fp).await?;
            id
        };
        if !ctx.dry_run {
            let mut old = vec![format!("/category/{}", term.slug)];
            if !term.id.is_empty() {
                old.push(format!("/?cat={}", term.id));
                old.push(format!("/_r{}.html", term.id));
            }
            for path in old {
                redirects::put(&mut tx, &path, RedirectTarget::Section(id)).await?;
                report.redirects += 1;
            }
            put_feed_redirects(
                &mut tx,
                &format!("/category/{}", term.slug),
                &format!("/feeds/rubrique/{slug}"),
                report,
            )
            .await?;
        }
        our_slugs.insert(term.slug.clone(), slug);
        ctx.sections.insert(term.slug.clone(), id);
    }
    // Nested category addresses (/category/monde/afrique) as WordPress writes them.
    if !ctx.dry_run {
        for term in &categories {
            let mut chain = vec![term.slug.clone()];
            let mut parent = term.parent_slug.clone();
            while let Some(p) = categories.iter().find(|c| c.slug == parent && !chain.contains(&c.slug)) {
                chain.insert(0, p.slug.clone());
                parent = p.parent_slug.clone();
            }
            if chain.len() > 1
                && let Some(id) = ctx.sections.get(&term.slug)
            {
                let old = format!("/category/{}", chain.join("/"));
                redirects::put(&mut tx, &old, RedirectTarget::Section(*id)).await?;
                report.redirects += 1;
                if let Some(ours) = our_slugs.get(&term.slug) {
                    put_feed_redirects(&mut tx, &old, &format!("/feeds/rubrique/{ours}"), report).await?;
                }
            }
        }
    }

    for term in terms.iter().filter(|t| t.kind == TermKind::Tag) {
        let name =
            if term.name.is_empty() { crate::urls::percent_decode(&term.slug) } else { text_of_html(&term.name) };
        ctx.tag_names.insert(term.slug.clone(), name.clone());
        let known = imports::lookup(&mut tx, &ctx.source, "tag", &term.slug).await?;
        let fp = fingerprint(&[&name]);
        report.count("tag", change_of(&known, &fp));
        if !ctx.dry_run {
            let id = crate::store::tags::ensure(&mut tx, &name).await?;
            imports::record(&mut tx, &ctx.source, "tag", &term.slug, id, &fp).await?;
            let ours = crate::news::slug::slugify(&name);
            let old = format!("/tag/{}", term.slug);
            redirects::put(&mut tx, &old, RedirectTarget::Path(&format!("/tag/{ours}"))).await?;
            report.redirects += 1;
            put_feed_redirects(&mut tx, &old, &format!("/feeds/tag/{ours}"), report).await?;
        }
    }
    if !ctx.dry_run {
        put_feed_redirects(&mut tx, "", "/feeds", report).await?;
        // The sitemaps search engines know, and the addresses the newsroom's fingers know.
        for (old, ours) in [
            ("/wp-sitemap.xml", "/sitemap.xml"),
            ("/sitemap_index.xml", "/sitemap.xml"),
            ("/wp-admin", "/redaction"),
            ("/wp-login.php", "/redaction/connexion"),
        ] {
            redirects::put(&mut tx, old, RedirectTarget::Path(ours)).await?;
            report.redirects += 1;
        }
    }
    if ctx.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

/// WordPress's feed addresses lead to ours: `{old}/feed` (RSS) and `{old}/feed/atom` to
/// `{ours}/rss.xml` and `{ours}/atom.xml`, so readers subscribed before the move keep getting
/// the news. `old` is a page's address on the old site (`""` for the whole site).
pub(super) async fn put_feed_redirects(
    tx: &mut Tx,
    old: &str,
    ours: &str,
    report: &mut Report,
) -> Result<(), ImportError> {
    let whole_site = old.is_empty();
    let mut feeds = vec![(format!("{old}/feed"), "rss.xml"), (format!("{old}/feed/atom"), "atom.xml")];
    if whole_site {
        for (query, format) in [("rss2", "rss.xml"), ("rss", "rss.xml"), ("atom", "atom.xml")] {
            feeds.push((format!("/?feed={query}"), format));
        }
        feeds.push(("/feed/rss2".into(), "rss.xml"));
        feeds.push(("/feed/rss".into(), "rss.xml"));
    }
    for (path, format) in feeds {
        redirects::put(tx, &path, RedirectTarget::Path(&format!("{ours}/{format}"))).await?;
        report.redirects += 1;
    }
    Ok(())
}
