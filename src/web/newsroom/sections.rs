//! Sections: create, rename in each language, reorder, nest one level, mark as opinion.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::slug::slugify;
use crate::news::{Lang, Role};
use crate::store::StoreError;
use crate::store::sections::{self, NewSection, RESERVED_SLUGS, Section};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SectionInput {
    slug: String,
    name_fr: String,
    name_ar: String,
    name_en: String,
    parent_id: String,
    kind: String,
    /// "save", "up" or "down".
    action: String,
}

#[derive(Serialize)]
struct SectionsPage {
    #[serde(flatten)]
    desk: Desk,
    sections: Vec<Section>,
    input: SectionInput,
    errors: FieldErrors,
    editing: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    input: SectionInput,
    errors: FieldErrors,
    editing: Option<i64>,
    ok: Option<&str>,
) -> PageResult<Response> {
    let all = sections::all(state.db()).await?;
    let refused = !errors.is_empty();
    let view = SectionsPage { desk: Desk::new(state, staff, "/rubriques", ok), sections: all, input, errors, editing };
    let mut response = render(state, "newsroom/sections.html", &view)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show_sections(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<OkQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_publish)?;
    page(
        &state,
        &staff,
        SectionInput { kind: "news".into(), ..Default::default() },
        FieldErrors::default(),
        None,
        q.ok.as_deref(),
    )
    .await
}

/// A valid section form: slug, parent, names.
type CheckedSection = (String, Option<i64>, BTreeMap<Lang, String>);

fn check(
    state: &AppState,
    lang: Lang,
    input: &SectionInput,
    all: &[Section],
    editing: Option<i64>,
) -> Result<CheckedSection, FieldErrors> {
    let t = |key: &str| state.catalog().text(lang, &format!("newsroom.sections.error.{key}"), &[]);
    let mut errors = FieldErrors::default();
    let mut names = BTreeMap::new();
    for (l, name) in [(Lang::Fr, &input.name_fr), (Lang::Ar, &input.name_ar), (Lang::En, &input.name_en)] {
        let name = name.trim();
        if !name.is_empty() {
            names.insert(l, name.chars().take(80).collect::<String>());
        }
    }
    if names.is_empty() {
        errors.add("name_fr", t("name_missing"));
    }
    let wanted = if input.slug.trim().is_empty() {
        names.values().next().cloned().unwrap_or_default()
    } else {
        input.slug.clone()
    };
    let slug = slugify(&wanted);
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        errors.add("slug", t("slug_reserved"));
    } else if all.iter().any(|s| s.slug == slug && Some(s.id) != editing) {
        errors.add("slug", t("slug_taken"));
    }
    let parent = match input.parent_id.trim() {
        "" => None,
        raw => match raw.parse::<i64>().ok().and_then(|id| all.iter().find(|s| s.id == id)) {
            // One level of nesting: a parent must itself be top-level, and not the section.
            Some(p) if p.parent_id.is_none() && Some(p.id) != editing => Some(p.id),
            _ => {
                errors.add("parent_id", t("parent_bad"));
                None
            }
        },
    };
    if let Some(id) = editing
        && parent.is_some()
        && all.iter().any(|s| s.parent_id == Some(id))
    {
        errors.add("parent_id", t("parent_has_children"));
    }
    if errors.is_empty() { Ok((slug, parent, names)) } else { Err(errors) }
}

pub async fn create_section(State(state): State<AppState>, form: StaffForm<SectionInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_publish)?;
    let all = sections::all(state.db()).await?;
    let (slug, parent, names) = match check(&state, staff.lang(&state), &input, &all, None) {
        Ok(ok) => ok,
        Err(errors) => return page(&state, &staff, input, errors, None, None).await,
    };
    let position = all.iter().map(|s| s.position).max().unwrap_or(0) + 1;
    let kind = if input.kind == "opinion" { "opinion" } else { "news" };
    let mut tx = state.db().begin().await?;
    let id = sections::upsert(
        &mut tx,
        &NewSection { slug: &slug, parent_id: parent, position, names: &names, descriptions: &BTreeMap::new(), kind },
    )
    .await?;
    let did = Did {
        action: "section.create",
        object_type: "section",
        object_id: Some(id),
        detail: serde_json::json!({ "slug": slug }),
    };
    finish(&state, &staff, tx, did, Touched::Everything, &format!("{BASE}/rubriques?ok=saved")).await
}

pub async fn update_section(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<SectionInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_publish)?;
    let all = sections::all(state.db()).await?;
    let current = all.iter().find(|s| s.id == id).ok_or(AppError::NotFound)?.clone();
    let mut tx = state.db().begin().await?;
    match input.action.as_str() {
        "up" | "down" => {
            // Swap places with the neighbour among the same parent's sections.
            let siblings: Vec<&Section> = all.iter().filter(|s| s.parent_id == current.parent_id).collect();
            let at = siblings.iter().position(|s| s.id == id).unwrap_or(0);
            let other = if input.action == "up" { at.checked_sub(1) } else { Some(at + 1) };
            if let Some(other) = other.and_then(|i| siblings.get(i)) {
                sections::set_position(&mut tx, id, other.position, current.position, other.id).await?;
            }
        }
        _ => {
            let (slug, parent, names) = match check(&state, staff.lang(&state), &input, &all, Some(id)) {
                Ok(ok) => ok,
                Err(errors) => {
                    tx.rollback().await?;
                    return page(&state, &staff, input, errors, Some(id), None).await;
                }
            };
            let kind = if input.kind == "opinion" { "opinion" } else { "news" };
            match sections::update(
                &mut tx,
                id,
                &NewSection {
                    slug: &slug,
                    parent_id: parent,
                    position: current.position,
                    names: &names,
                    descriptions: &current.descriptions,
                    kind,
                },
            )
            .await
            {
                Ok(()) => {}
                Err(StoreError::Duplicate { .. }) => return Err(AppError::Conflict("slug taken".into()).into()),
                Err(e) => return Err(e.into()),
            }
            if slug != current.slug {
                // Old section addresses keep working.
                crate::store::redirects::put(
                    &mut tx,
                    &format!("/{}", current.slug),
                    crate::store::redirects::RedirectTarget::Section(id),
                )
                .await?;
            }
        }
    }
    let did = Did {
        action: "section.update",
        object_type: "section",
        object_id: Some(id),
        detail: serde_json::json!({ "action": input.action }),
    };
    finish(&state, &staff, tx, did, Touched::Everything, &format!("{BASE}/rubriques?ok=saved")).await
}
