//! The article form: write, preview, save (every save a revision), submit, publish, schedule,
//! unpublish; the conflict screen when someone saved in between; corrections; autosave;
//! signed preview links.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::actions::articles::StatusChange;
use crate::actions::{self, Actor};
use crate::app::AppState;
use crate::error::{AppError, PageError, PageResult};
use crate::news::diff::{DiffLine, diff_lines};
use crate::news::{ArticleStatus, Lang, Role};
use crate::render::markdown;
use crate::secrets::{constant_time_eq, keyed_hash};
use crate::store::articles::{self, NewArticle};
use crate::store::desk::{self, ArticleFields, EditableArticle};
use crate::store::editorial;
use crate::store::media::{self as media_store, MediaItem};
use crate::store::sections::{self, Section};
use crate::store::users::{self, User};
use crate::store::{StoreError, audit, now_ms};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, FieldErrors, render};

/// The posted article form; every field is text so that whatever was typed comes back.
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ArticleInput {
    pub title: String,
    pub slug: String,
    pub lead: String,
    pub body_markdown: String,
    pub section_id: String,
    pub language: String,
    pub translation_of: String,
    pub signature: String,
    pub tags: String,
    pub author_1: String,
    pub author_2: String,
    pub author_3: String,
    pub featured_media_id: String,
    pub featured_caption: String,
    pub featured_credit: String,
    pub featured_alt: String,
    pub comments_mode: String,
    pub version: String,
    pub publish_at: String,
    /// When the article leaves the site by itself (`datetime-local`), or nothing.
    pub unpublish_at: String,
    pub action: String,
    /// A note for the newsroom being written (its own form; given back when refused).
    pub note: String,
}

impl ArticleInput {
    pub(crate) fn from_article(article: &EditableArticle, tz: chrono_tz::Tz) -> ArticleInput {
        let f = &article.fields;
        let author = |n: usize| f.author_ids.get(n).map(i64::to_string).unwrap_or_default();
        ArticleInput {
            title: f.title.clone(),
            slug: f.slug.clone(),
            lead: f.lead.clone(),
            body_markdown: f.body_markdown.clone(),
            section_id: f.section_id.to_string(),
            language: f.language.clone(),
            translation_of: f.translation_group.filter(|g| *g != article.id).map(|g| g.to_string()).unwrap_or_default(),
            signature: f.signature.clone(),
            tags: f.tags.join(", "),
            author_1: author(0),
            author_2: author(1),
            author_3: author(2),
            featured_media_id: f.featured_media_id.map(|m| m.to_string()).unwrap_or_default(),
            featured_caption: f.featured_caption.clone(),
            featured_credit: f.featured_credit.clone(),
            featured_alt: f.featured_alt.clone(),
            comments_mode: f.comments_mode.clone(),
            version: article.version.to_string(),
            publish_at: article.publish_at.map(|ms| local_input(ms, tz)).unwrap_or_default(),
            unpublish_at: article.unpublish_at.map(|ms| local_input(ms, tz)).unwrap_or_default(),
            action: String::new(),
            note: String::new(),
        }
    }
}

/// `datetime-local` text in the site's time zone.
fn local_input(ms: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| tz.from_utc_datetime(&t.naive_utc()).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn parse_local(text: &str, tz: chrono_tz::Tz) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.timestamp_millis())
}

/// The article the translation field names: its number ("12", "n° 12", "#12", or "12 — its
/// title" as the suggestions write it), or words of its title in any language when one article
/// alone has them. `Err` holds the candidates when the words name several (or none).
async fn translation_named(state: &AppState, typed: &str) -> Result<Option<i64>, Vec<desk::TitleMatch>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let number = typed.trim_start_matches(['#', ' ']).trim_start_matches("n°").trim_start_matches("no").trim_start();
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        return digits.parse().map(Some).map_err(|_| Vec::new());
    }
    let found = desk::by_title(state.db(), typed, 6).await.unwrap_or_default();
    match found.as_slice() {
        [one] => Ok(Some(one.id)),
        _ => Err(found),
    }
}

/// Checks the form and turns it into stored fields, or says what is wrong next to each field.
async fn validate(
    state: &AppState,
    input: &ArticleInput,
    all_sections: &[Section],
    lang: Lang,
) -> Result<ArticleFields, FieldErrors> {
    let t = |key: &str| state.catalog().text(lang, &format!("newsroom.article.error.{key}"), &[]);
    let mut errors = FieldErrors::default();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errors.add("title", t("title_missing"));
    } else if title.chars().count() > 300 {
        errors.add("title", t("title_long"));
    }
    if input.lead.chars().count() > 2000 {
        errors.add("lead", t("lead_long"));
    }
    if input.body_markdown.len() > 500_000 {
        errors.add("body_markdown", t("body_long"));
    }
    let section_id = input.section_id.parse::<i64>().ok().filter(|id| all_sections.iter().any(|s| s.id == *id));
    if section_id.is_none() {
        errors.add("section_id", t("section_missing"));
    }
    let language = Lang::parse(&input.language);
    if language.is_none() {
        errors.add("language", t("language_missing"));
    }
    let mut translation_group = None;
    match translation_named(state, &input.translation_of).await {
        Ok(None) => {}
        Ok(Some(other)) => match desk::editable(state.db(), other).await {
            Ok(Some(original)) => translation_group = Some(original.fields.translation_group.unwrap_or(other)),
            _ => errors.add("translation_of", t("translation_missing")),
        },
        Err(candidates) if candidates.is_empty() => errors.add("translation_of", t("translation_missing")),
        Err(candidates) => {
            let listed: Vec<String> =
                candidates.iter().map(|c| format!("n° {} « {} » ({})", c.id, c.title, c.language)).collect();
            let text = state.catalog().text(
                lang,
                "newsroom.article.error.translation_several",
                &[("list", &listed.join(" ; "))],
            );
            errors.add("translation_of", text);
        }
    }
    let mut author_ids = Vec::new();
    for raw in [&input.author_1, &input.author_2, &input.author_3] {
        if let Ok(id) = raw.parse::<i64>()
            && !author_ids.contains(&id)
        {
            author_ids.push(id);
        }
    }
    let featured_media_id = match input.featured_media_id.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) if media_store::exists(state.db(), id).await.unwrap_or(false) => Some(id),
            _ => {
                errors.add("featured_media_id", t("media_missing"));
                None
            }
        },
    };
    let comments_mode = match input.comments_mode.as_str() {
        "closed" | "auto" => input.comments_mode.clone(),
        _ => "open".to_string(),
    };
    let tags: Vec<String> = input
        .tags
        .split(',')
        .map(|t| t.trim().chars().take(80).collect::<String>())
        .filter(|t| !t.is_empty())
        .take(20)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ArticleFields {
        slug: crate::news::slug::slugify(if input.slug.trim().is_empty() { &title } else { input.slug.trim() }),
        title,
        lead: input.lead.trim().to_string(),
        body_markdown: input.body_markdown.replace("\r\n", "\n"),
        section_id: section_id.unwrap_or(0),
        language: language.unwrap_or(Lang::Fr).code().to_string(),
        translation_group,
        signature: input.signature.trim().chars().take(120).collect(),
        featured_media_id,
        featured_caption: input.featured_caption.trim().to_string(),
        featured_credit: input.featured_credit.trim().to_string(),
        featured_alt: input.featured_alt.trim().to_string(),
        comments_mode,
        author_ids,
        tags,
    })
}

#[derive(Serialize)]
struct EditorPage {
    #[serde(flatten)]
    desk: Desk,
    /// None for a new article.
    id: Option<i64>,
    status: Option<ArticleStatus>,
    input: ArticleInput,
    errors: FieldErrors,
    sections: Vec<Section>,
    writers: Vec<User>,
    media: Vec<MediaItem>,
    tag_suggestions: Vec<String>,
    /// The rendered preview, when asked.
    preview: Option<String>,
    /// The public address (published) or a signed preview link (not yet).
    public_url: Option<String>,
    preview_url: Option<String>,
    can_publish: bool,
    corrections: Vec<articles::Correction>,
    /// The newsroom's notes on the article (never shown to readers).
    notes: Vec<editorial::Note>,
    /// Who the article is assigned to.
    assigned_to: Option<i64>,
    /// The body's length as the reader will read it: words, and minutes in the article's
    /// language.
    words: usize,
    reading_minutes: usize,
    /// A colleague who has the article open now ("being edited by …").
    held_by: Option<editorial::Lease>,
}

pub(crate) async fn editor_page(
    state: &AppState,
    staff: &Staff,
    article: Option<&EditableArticle>,
    input: ArticleInput,
    errors: FieldErrors,
    preview: Option<String>,
    ok: Option<&str>,
) -> PageResult<Response> {
    let db = state.db();
    let (all_sections, writers, media, tags) = tokio::try_join!(
        sections::all(db),
        users::writers(db),
        media_store::recent(db, "", 60, 0),
        crate::store::tags::popular(db, 200)
    )?;
    let (corrections, notes, assigned_to) = match article {
        Some(a) => tokio::try_join!(
            articles::corrections(db, a.id),
            editorial::notes(db, a.id),
            editorial::assignee(db, a.id)
        )?,
        None => (Vec::new(), Vec::new(), None),
    };
    // Opening the form takes the article (or renews one's hold on it) unless a colleague has
    // it open; then the page says who, and offers to take over.
    let held_by = match article {
        Some(a) => Some(editorial::claim(db, a.id, staff.user.id, false).await?).filter(|l| l.user_id != staff.user.id),
        None => None,
    };
    let base = state.config().base_url();
    let (public_url, preview_url) = match article {
        Some(a) if a.status == ArticleStatus::Published => {
            (Some(format!("{base}/{}/{}", a.section_slug, a.fields.slug)), None)
        }
        Some(a) => (None, Some(format!("{base}{}", preview_path(state, a.id, now_ms() + PREVIEW_TTL_MS)))),
        None => (None, None),
    };
    let words =
        crate::news::text::word_count(&crate::news::text::text_of_html(&markdown::to_safe_html(&input.body_markdown)));
    let article_lang = Lang::parse(&input.language).unwrap_or(state.site().default_language);
    let page = EditorPage {
        words,
        reading_minutes: crate::news::text::reading_minutes(words, article_lang),
        desk: Desk::new(state, staff, "/articles", ok),
        id: article.map(|a| a.id),
        status: article.map(|a| a.status),
        input,
        errors,
        sections: all_sections,
        writers: writers.into_iter().filter(|u| !u.disabled).collect(),
        media,
        tag_suggestions: tags,
        preview,
        public_url,
        preview_url,
        can_publish: staff.role().can_publish(),
        corrections,
        notes,
        assigned_to,
        held_by,
    };
    let refused = !page.errors.is_empty();
    let mut response = render(state, "newsroom/editor.html", &page)?;
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn new_article(State(state): State<AppState>, staff: Staff) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let site = state.site();
    let input = ArticleInput {
        language: site.default_language.code().to_string(),
        author_1: staff.user.id.to_string(),
        comments_mode: "open".into(),
        ..Default::default()
    };
    editor_page(&state, &staff, None, input, FieldErrors::default(), None, None).await
}

/// The article a member of staff may edit: any for editors, their own drafts for journalists.
pub(crate) async fn editable_for(state: &AppState, staff: &Staff, id: i64) -> Result<EditableArticle, PageError> {
    staff.require(Role::can_write)?;
    let article = desk::editable(state.db(), id).await?.ok_or(AppError::NotFound)?;
    if !staff.role().can_publish() {
        let own = desk::is_own(state.db(), id, staff.user.id).await?;
        if !own || !matches!(article.status, ArticleStatus::Draft | ArticleStatus::Review) {
            return Err(AppError::Forbidden.into());
        }
    }
    Ok(article)
}

pub async fn edit_article(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<OkQuery>,
) -> PageResult<Response> {
    let article = editable_for(&state, &staff, id).await?;
    let input = ArticleInput::from_article(&article, state.site().tz());
    editor_page(&state, &staff, Some(&article), input, FieldErrors::default(), None, query.ok.as_deref()).await
}

/// What a save asks to do besides saving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Save,
    Preview,
    Submit,
    Publish,
    Schedule,
    Unpublish,
    BackToDraft,
}

impl Action {
    fn parse(text: &str) -> Action {
        match text {
            "preview" => Action::Preview,
            "submit" => Action::Submit,
            "publish" => Action::Publish,
            "schedule" => Action::Schedule,
            "unpublish" => Action::Unpublish,
            "draft" => Action::BackToDraft,
            _ => Action::Save,
        }
    }

    fn needs_editor(self) -> bool {
        matches!(self, Action::Publish | Action::Schedule | Action::Unpublish)
    }

    /// The status change the button asks for besides saving (a schedule needs its time).
    fn status_change(self, publish_at: Option<i64>) -> Option<StatusChange> {
        match self {
            Action::Submit => Some(StatusChange::Submit),
            Action::Publish => Some(StatusChange::Publish),
            Action::Schedule => publish_at.map(StatusChange::Schedule),
            Action::Unpublish => Some(StatusChange::Unpublish),
            Action::BackToDraft => Some(StatusChange::BackToDraft),
            Action::Save | Action::Preview => None,
        }
    }
}

pub async fn create_article(State(state): State<AppState>, form: StaffForm<ArticleInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_write)?;
    let action = Action::parse(&input.action);
    if action.needs_editor() {
        staff.require(Role::can_publish)?;
    }
    let lang = staff.lang(&state);
    let all = sections::all(state.db()).await?;
    let fields = match validate(&state, &input, &all, lang).await {
        Ok(fields) => fields,
        Err(errors) => return editor_page(&state, &staff, None, input, errors, None, None).await,
    };
    if action == Action::Preview {
        let preview = markdown::to_safe_html(&fields.body_markdown);
        return editor_page(&state, &staff, None, input, FieldErrors::default(), Some(preview), None).await;
    }
    let tz = state.site().tz();
    let publish_at = parse_local(&input.publish_at, tz);
    if let Err(errors) = check_schedule(&state, action, publish_at, lang) {
        return editor_page(&state, &staff, None, input, errors, None, None).await;
    }
    let planned_publication = if action == Action::Schedule { publish_at } else { None };
    let unpublish_at = match check_unpublish(&state, &input.unpublish_at, planned_publication, lang) {
        Ok(at) => at,
        Err(errors) => return editor_page(&state, &staff, None, input, errors, None, None).await,
    };
    let status = match action {
        Action::Submit => ArticleStatus::Review,
        Action::Publish => ArticleStatus::Published,
        Action::Schedule => ArticleStatus::Scheduled,
        _ => ArticleStatus::Draft,
    };
    let mut authors = fields.author_ids.clone();
    if authors.is_empty() {
        authors.push(staff.user.id);
    }
    let new = NewArticle {
        slug: fields.slug.clone(),
        section_id: fields.section_id,
        language: Lang::parse(&fields.language).unwrap_or(state.site().default_language),
        translation_group: fields.translation_group,
        body_html: markdown::to_safe_html(&fields.body_markdown),
        title: fields.title,
        lead: fields.lead,
        body_markdown: fields.body_markdown,
        signature: fields.signature,
        status,
        publish_at: match action {
            Action::Publish => Some(now_ms()),
            Action::Schedule => publish_at,
            _ => None,
        },
        featured_media_id: fields.featured_media_id,
        featured_caption: fields.featured_caption,
        featured_credit: fields.featured_credit,
        featured_alt: fields.featured_alt,
        front_position: None,
        comments_mode: fields.comments_mode,
        author_ids: authors,
        tags: fields.tags,
        created_by: Some(staff.user.id),
        created_at: None,
    };
    let id = actions::articles::create(&state, Actor::newsroom(staff.user.id), &new, unpublish_at).await?;
    Ok(Redirect::to(&format!("{BASE}/articles/{id}?ok={}", ok_key(action))).into_response())
}

fn ok_key(action: Action) -> &'static str {
    match action {
        Action::Submit => "submitted",
        Action::Publish => "published",
        Action::Schedule => "scheduled",
        Action::Unpublish => "unpublished",
        Action::BackToDraft => "drafted",
        _ => "saved",
    }
}

/// The unpublication time typed: none, or a time to come and after the publication.
fn check_unpublish(
    state: &AppState,
    typed: &str,
    publish_at: Option<i64>,
    lang: Lang,
) -> Result<Option<i64>, FieldErrors> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    let t = |key: &str| state.catalog().text(lang, &format!("newsroom.article.error.{key}"), &[]);
    let mut errors = FieldErrors::default();
    match parse_local(typed, state.site().tz()) {
        None => errors.add("unpublish_at", t("unpublish_unreadable")),
        Some(at) if at <= now_ms() => errors.add("unpublish_at", t("unpublish_past")),
        Some(at) if publish_at.is_some_and(|p| at <= p) => errors.add("unpublish_at", t("unpublish_before")),
        Some(at) => return Ok(Some(at)),
    }
    Err(errors)
}

fn check_schedule(state: &AppState, action: Action, publish_at: Option<i64>, lang: Lang) -> Result<(), FieldErrors> {
    if action != Action::Schedule {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    match publish_at {
        None => errors.add("publish_at", state.catalog().text(lang, "newsroom.article.error.when_missing", &[])),
        Some(at) if at <= now_ms() => {
            errors.add("publish_at", state.catalog().text(lang, "newsroom.article.error.when_past", &[]))
        }
        Some(_) => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

async fn record(
    tx: &mut crate::store::Tx,
    staff: &Staff,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        &audit::Entry { actor_id: Some(staff.user.id), action, object_type: "article", object_id: Some(id), detail },
    )
    .await
}

#[derive(Serialize)]
struct ConflictPage {
    #[serde(flatten)]
    desk: Desk,
    id: i64,
    /// What is stored now (someone else's save).
    theirs: ArticleInput,
    theirs_author: String,
    /// What this person typed, kept whole, ready to save over theirs.
    yours: ArticleInput,
    title_diff: Vec<DiffLine>,
    lead_diff: Vec<DiffLine>,
    body_diff: Vec<DiffLine>,
}

pub async fn save_article(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<ArticleInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    let article = editable_for(&state, &staff, id).await?;
    let action = Action::parse(&input.action);
    if action.needs_editor() {
        staff.require(Role::can_publish)?;
    }
    let lang = staff.lang(&state);
    let tz = state.site().tz();
    let all = sections::all(state.db()).await?;
    let fields = match validate(&state, &input, &all, lang).await {
        Ok(fields) => fields,
        Err(errors) => return editor_page(&state, &staff, Some(&article), input, errors, None, None).await,
    };
    if action == Action::Preview {
        let preview = markdown::to_safe_html(&fields.body_markdown);
        return editor_page(&state, &staff, Some(&article), input, FieldErrors::default(), Some(preview), None).await;
    }
    let publish_at = parse_local(&input.publish_at, tz);
    if let Err(errors) = check_schedule(&state, action, publish_at, lang) {
        return editor_page(&state, &staff, Some(&article), input, errors, None, None).await;
    }
    // Unchanged, a time already planned is kept as it is, even once past (the job has done its
    // work or will); a new one must be to come, and after the publication.
    let stored = article.unpublish_at.map(|ms| local_input(ms, tz)).unwrap_or_default();
    let unpublish_at = if input.unpublish_at.trim() == stored && !stored.is_empty() {
        article.unpublish_at
    } else {
        let publication = if action == Action::Schedule { publish_at } else { article.publish_at };
        match check_unpublish(&state, &input.unpublish_at, publication, lang) {
            Ok(at) => at,
            Err(errors) => return editor_page(&state, &staff, Some(&article), input, errors, None, None).await,
        }
    };
    let expected: i64 = input.version.parse().unwrap_or(-1);
    let body_html = markdown::to_safe_html(&fields.body_markdown);
    let change = action.status_change(publish_at);
    let plan = actions::articles::Plan { change, unpublish_at };
    match actions::articles::save(&state, staff.user.id, &article, expected, &fields, &body_html, plan).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => return conflict_page(&state, &staff, &article, input).await,
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("{BASE}/articles/{id}?ok={}", ok_key(action))).into_response())
}

async fn conflict_page(
    state: &AppState,
    staff: &Staff,
    seen: &EditableArticle,
    yours: ArticleInput,
) -> PageResult<Response> {
    let current = desk::editable(state.db(), seen.id).await?.ok_or(AppError::NotFound)?;
    let theirs = ArticleInput::from_article(&current, state.site().tz());
    let theirs_author =
        desk::revisions(state.db(), seen.id).await?.first().map(|r| r.author.clone()).unwrap_or_default();
    let mut yours = yours;
    // Saving from the conflict screen overwrites theirs, knowingly.
    yours.version = current.version.to_string();
    let page = ConflictPage {
        desk: Desk::new(state, staff, "/articles", None),
        id: seen.id,
        title_diff: diff_lines(&theirs.title, &yours.title),
        lead_diff: diff_lines(&theirs.lead, &yours.lead),
        body_diff: diff_lines(&theirs.body_markdown, &yours.body_markdown),
        theirs,
        theirs_author,
        yours,
    };
    let mut response = render(state, "newsroom/conflict.html", &page)?;
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

/// Autosave from the editor's script: saves a draft's text as a revision, answers JSON.
pub async fn autosave_article(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<ArticleInput>,
) -> Response {
    let StaffForm { staff, input } = form;
    let result: Result<Json<serde_json::Value>, (StatusCode, &'static str)> = async {
        let article = editable_for(&state, &staff, id).await.map_err(|_| (StatusCode::FORBIDDEN, "forbidden"))?;
        if article.status != ArticleStatus::Draft {
            return Err((StatusCode::CONFLICT, "only drafts are saved automatically"));
        }
        let all = sections::all(state.db()).await.map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "unavailable"))?;
        let fields = validate(&state, &input, &all, staff.lang(&state))
            .await
            .map_err(|_| (StatusCode::UNPROCESSABLE_ENTITY, "the form has errors"))?;
        let expected: i64 = input.version.parse().unwrap_or(-1);
        let body_html = markdown::to_safe_html(&fields.body_markdown);
        let mut tx = state.db().begin().await.map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "unavailable"))?;
        let version = match desk::save(&mut tx, id, expected, &fields, &body_html, staff.user.id).await {
            Ok(v) => v,
            Err(StoreError::Conflict) => return Err((StatusCode::CONFLICT, "someone else saved this article")),
            Err(_) => return Err((StatusCode::SERVICE_UNAVAILABLE, "unavailable")),
        };
        tx.commit().await.map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "unavailable"))?;
        Ok(Json(serde_json::json!({ "version": version, "saved_at": now_ms() })))
    }
    .await;
    match result {
        Ok(json) => json.into_response(),
        Err((status, message)) => (status, Json(serde_json::json!({ "error": message }))).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CorrectionInput {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
}

/// Adds a correction, clarification or update note, dated now, shown under the article.
pub async fn add_correction(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm<CorrectionInput>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_publish)?;
    desk::editable(state.db(), id).await?.ok_or(AppError::NotFound)?;
    let kind = match input.kind.as_str() {
        "clarification" | "update" => input.kind.as_str(),
        _ => "correction",
    };
    let note = input.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(
            AppError::BadRequest(state.catalog().text(staff.lang(&state), "newsroom.article.error.note", &[])).into()
        );
    }
    let mut tx = state.db().begin().await?;
    let now = now_ms();
    articles::add_correction(&mut tx, id, kind, note, now).await?;
    articles::mark_corrected(&mut tx, id, now).await?;
    record(&mut tx, &staff, "article.correction", id, serde_json::json!({ "kind": kind })).await?;
    tx.commit().await?;
    state.article_changed(id);
    Ok(Redirect::to(&format!("{BASE}/articles/{id}?ok=corrected")).into_response())
}

/// Preview links last two days.
const PREVIEW_TTL_MS: i64 = 48 * 3_600_000;

/// A signed address that shows an unpublished article until `expires`.
pub fn preview_path(state: &AppState, id: i64, expires: i64) -> String {
    let sig = &keyed_hash(state.secret(), format!("preview:{id}:{expires}").as_bytes())[..32];
    format!("/apercu/{id}?expires={expires}&sig={sig}")
}

#[derive(Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    expires: i64,
    #[serde(default)]
    sig: String,
}

/// The article page for a preview link: any status, never indexed, never cached.
pub async fn show_preview(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(query): Query<PreviewQuery>,
) -> PageResult<Response> {
    let expected = &keyed_hash(state.secret(), format!("preview:{id}:{}", query.expires).as_bytes())[..32];
    if query.expires < now_ms() || !constant_time_eq(&query.sig, expected) {
        return Err(AppError::NotFound.into());
    }
    let article = articles::by_id(state.db(), id).await?.ok_or(AppError::NotFound)?;
    let lang = article.card.language;
    let (mut chrome, _) = crate::web::chrome::Chrome::for_page(&state, lang, "/").await?;
    chrome.path = format!("/apercu/{id}");
    #[derive(Serialize)]
    struct PreviewPage {
        #[serde(flatten)]
        chrome: crate::web::chrome::Chrome,
        article: articles::Article,
        section_name: String,
    }
    let page = PreviewPage {
        section_name: article.card.section_names.get(&lang).cloned().unwrap_or_default(),
        article,
        chrome,
    };
    let html = state.templates().render("pages/preview.html", &page)?;
    Ok((
        [
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (axum::http::header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        axum::response::Html(html),
    )
        .into_response())
}
