//! The moderation queue (moderators, editors, admins): pending comments with what the
//! screening found highlighted, filters, approve / refuse with a policy reason / spam, in bulk,
//! with keyboard shortcuts; bans; and, for admins, the word lists and comment settings.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::actions;
use crate::actions::comments::{Decision, Sanction};
use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::jobs::{self, Job};
use crate::news::moderation::{Category, LIST_LANGUAGES, PolicyLists, Screening};
use crate::news::text::escape_html;
use crate::news::{CommentStatus, Role};
use crate::store::comments::{self, QueueFilter, QueueItem};
use crate::store::settings::{self, CommentSettings};
use crate::store::{audit, now_ms};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, FieldErrors, finish, render};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    reason: String,
    article: String,
    lang: String,
    page: Option<String>,
    ok: Option<String>,
    /// After a refused decision: what was missing ("reason").
    error: String,
}

/// Comments per page of the queue.
const QUEUE_PAGE: i64 = 50;

/// A queue line with its body highlighted where the screening matched.
#[derive(Serialize)]
struct Line {
    #[serde(flatten)]
    item: QueueItem,
    body_html: String,
    findings: Vec<(String, String, String)>,
    /// The ground the screening suggests, shown, never preselected: the moderator chooses.
    suggested: Option<String>,
    /// Readers' reports since the last decision, all grounds together.
    report_count: i64,
}

#[derive(Serialize)]
struct QueuePage {
    #[serde(flatten)]
    desk: Desk,
    lines: Vec<Line>,
    status: String,
    reason: String,
    article: String,
    lang_filter: String,
    reasons: Vec<&'static str>,
    pending: i64,
    is_admin: bool,
    pager: Option<crate::web::pager::Pager>,
    total: i64,
    /// The decision could not be applied: why.
    error: Option<String>,
}

/// The body, escaped, with every matched phrase wrapped in `<mark>`.
fn highlight(body: &str, screening: &Screening) -> String {
    let mut html = escape_html(body);
    let mut marks: Vec<String> =
        screening.findings.iter().map(|f| escape_html(&f.matched)).filter(|m| !m.is_empty()).collect();
    marks.sort_by_key(|m| std::cmp::Reverse(m.len()));
    marks.dedup();
    for mark in marks {
        if html.contains(&mark) && !mark.contains("<mark>") {
            html = html.replace(&mark, &format!("<mark>{mark}</mark>"));
        }
    }
    html.replace('\n', "<br>")
}

pub async fn show_queue(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_moderate)?;
    let status = if query.status.is_empty() { "pending".to_string() } else { query.status.clone() };
    let filter = QueueFilter {
        reported: status == "reported",
        status: CommentStatus::parse(&status),
        reason: Category::parse(&query.reason).map(|c| c.code().to_string()).unwrap_or_default(),
        article_id: query.article.parse().ok(),
        language: ["fr", "ar", "en"].iter().find(|l| **l == query.lang).map(|l| l.to_string()).unwrap_or_default(),
    };
    let page = crate::web::pager::page_number(query.page.as_deref());
    let (total, items) = tokio::try_join!(
        comments::count_queue(state.db(), &filter),
        comments::queue(state.db(), &filter, QUEUE_PAGE, (page - 1) * QUEUE_PAGE)
    )?;
    let keep = format!(
        "status={}&reason={}&article={}&lang={}",
        crate::urls::urlencode(&status),
        crate::urls::urlencode(&filter.reason),
        crate::urls::urlencode(&query.article),
        crate::urls::urlencode(&filter.language)
    );
    let pager = (total > QUEUE_PAGE)
        .then(|| crate::web::pager::Pager::new(&format!("{BASE}/commentaires"), &keep, page, total, QUEUE_PAGE));
    let lines = items
        .into_iter()
        .map(|item| {
            let screening: Option<Screening> = serde_json::from_str(&item.screening).ok();
            let (body_html, findings) = match &screening {
                Some(s) => (
                    highlight(&item.body, s),
                    s.findings
                        .iter()
                        .map(|f| {
                            (
                                f.category.code().to_string(),
                                format!("{:?}", f.severity).to_lowercase(),
                                f.matched.clone(),
                            )
                        })
                        .collect(),
                ),
                None => (escape_html(&item.body).replace('\n', "<br>"), Vec::new()),
            };
            let suggested = screening.as_ref().and_then(|s| s.reason).map(|c| c.code().to_string());
            let report_count = item.reports.iter().map(|(_, n)| n).sum();
            Line { item, body_html, findings, suggested, report_count }
        })
        .collect();
    let pending = comments::count_by_status(state.db(), CommentStatus::Pending).await?;
    let page = QueuePage {
        desk: Desk::new(&state, &staff, "/commentaires", query.ok.as_deref()),
        lines,
        status,
        reason: filter.reason,
        article: query.article,
        lang_filter: filter.language,
        reasons: Category::ALL.iter().map(|c| c.code()).collect(),
        pending,
        is_admin: staff.role() == Role::Admin,
        pager,
        total,
        error: (query.error == "reason")
            .then(|| state.catalog().text(staff.lang(&state), "newsroom.moderation.reason_needed", &[])),
    };
    render(&state, "newsroom/moderation.html", &page)
}

/// The queue's form: checked `ids` and a bulk `action`, or an action on one comment
/// ("refuse:12", with its reason in `reason_12`).
struct DecisionInput {
    ids: Vec<i64>,
    action: String,
    reason: String,
    days: String,
    back: String,
}

impl DecisionInput {
    fn from_pairs(pairs: &[(String, String)]) -> DecisionInput {
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
        let raw_action = get("action");
        match raw_action.split_once(':') {
            Some((action, id)) => DecisionInput {
                ids: id.parse().into_iter().collect(),
                action: action.to_string(),
                reason: get(&format!("reason_{id}")),
                days: get("days"),
                back: get("back"),
            },
            None => DecisionInput {
                ids: pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).take(500).collect(),
                action: raw_action,
                reason: get("reason"),
                days: get("days"),
                back: get("back"),
            },
        }
    }
}

/// Decides on one or several comments. Every decision is recorded (who, when, what).
pub async fn decide(State(state): State<AppState>, form: StaffForm<Vec<(String, String)>>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_moderate)?;
    let input = DecisionInput::from_pairs(&input);
    let ids = input.ids.clone();
    if ids.is_empty() {
        return Err(AppError::BadRequest(state.catalog().text(
            staff.lang(&state),
            "newsroom.moderation.none_selected",
            &[],
        ))
        .into());
    }
    let until = || input.days.trim().parse::<i64>().ok().filter(|d| *d > 0).map(|d| now_ms() + d * 86_400_000);
    let sanction = |kind| Decision::Sanction { kind, until: until(), reason: input.reason.clone() };
    let decision = match input.action.as_str() {
        "approve" => Decision::Approve,
        "spam" => Decision::Spam,
        "refuse" => match Category::parse(&input.reason) {
            Some(ground) => Decision::Refuse(ground),
            // The ground is the moderator's choice: back to the same queue, asking for it.
            None => {
                return Ok(Redirect::to(&format!("{BASE}/commentaires{}error=reason", back_query(&input.back)))
                    .into_response());
            }
        },
        "ban_email" => sanction(Sanction::BanEmail),
        "ban_address" => sanction(Sanction::BanAddress),
        "distrust" => sanction(Sanction::Distrust),
        _ => return Err(AppError::BadRequest("unknown action".into()).into()),
    };
    actions::comments::decide(&state, staff.user.id, &ids, &decision).await?;
    Ok(Redirect::to(&format!("{BASE}/commentaires{}ok=decided", back_query(&input.back))).into_response())
}

/// The queue's own query string to go back to (only ours: no other host), ready for one more
/// parameter.
fn back_query(back: &str) -> String {
    if back.starts_with('?') && !back.contains("//") && !back.contains(':') {
        format!("{back}&")
    } else {
        "?".to_string()
    }
}

/// The lists as admins edit them: one text area per language, category and severity.
#[derive(Serialize)]
struct ListsPage {
    #[serde(flatten)]
    desk: Desk,
    languages: Vec<&'static str>,
    categories: Vec<&'static str>,
    lists: serde_json::Value,
    settings: CommentSettings,
    errors: FieldErrors,
    /// The classifier: examples shipped per register (register, fair, abusive), decisions
    /// learned, and the moderators' agreement with the screening.
    model_examples: Vec<(&'static str, u32, u32)>,
    model_lessons: usize,
    agreement: crate::store::moderation::Agreement,
}

pub async fn show_lists(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> PageResult<Response> {
    staff.require(|r| r == Role::Admin)?;
    let lists = crate::store::moderation::lists(state.db()).await?;
    let screener = state.screener();
    let page = ListsPage {
        model_examples: screener.classifier.shipped_examples(),
        model_lessons: screener.classifier.lessons,
        agreement: crate::store::moderation::agreement(state.db()).await?,
        desk: Desk::new(&state, &staff, "/commentaires", query.ok.as_deref()),
        languages: LIST_LANGUAGES.to_vec(),
        categories: Category::ALL.iter().filter(|c| **c != Category::Spam).map(|c| c.code()).collect(),
        lists: serde_json::to_value(&lists).unwrap_or_default(),
        settings: state.site().comments.clone(),
        errors: FieldErrors::default(),
    };
    render(&state, "newsroom/moderation_lists.html", &page)
}

/// Makes the classifier forget every decision it learned (admins): it goes back to what it
/// shipped with. Comments and decisions stay as they are.
pub async fn reset_model(State(state): State<AppState>, form: StaffForm<Nothing>) -> PageResult<Response> {
    let StaffForm { staff, .. } = form;
    staff.require(|r| r == Role::Admin)?;
    let mut tx = state.db().begin().await?;
    crate::store::moderation::reset_model(&mut tx, now_ms()).await?;
    let did = Did {
        action: "moderation.model_reset",
        object_type: "settings",
        object_id: None,
        detail: serde_json::json!({}),
    };
    let response =
        finish(&state, &staff, tx, did, Touched::Nothing, &format!("{BASE}/commentaires/listes?ok=model_reset"))
            .await?;
    state.reload_moderation().await?;
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct Nothing {}

/// Saves the lists and the comment settings. Field names: `{lang}.{category}.{banned|suspect}`,
/// `{lang}.spam.phrases`, one term per line.
pub async fn save_lists(
    State(state): State<AppState>,
    form: StaffForm<std::collections::BTreeMap<String, String>>,
) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(|r| r == Role::Admin)?;
    let mut lists: PolicyLists = crate::store::moderation::lists(state.db()).await?;
    let mut json = serde_json::to_value(&lists).unwrap_or_default();
    for (key, value) in &input {
        let parts: Vec<&str> = key.split('.').collect();
        if parts.len() == 3 && LIST_LANGUAGES.contains(&parts[0]) {
            let terms: Vec<String> =
                value.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).take(2000).collect();
            json[parts[0]][parts[1]][parts[2]] = serde_json::json!(terms);
        }
    }
    lists = serde_json::from_value(json).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let number = |key: &str, default: u32| input.get(key).and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(default);
    let current = state.site().comments.clone();
    let comments_settings = CommentSettings {
        auto_approve_trusted: input.get("auto_approve_trusted").is_some_and(|v| !v.is_empty()),
        max_links: number("max_links", current.max_links).min(50),
        min_seconds: number("min_seconds", current.min_seconds).min(600),
        per_address_per_10_min: number("per_address_per_10_min", current.per_address_per_10_min).clamp(1, 1000),
        per_email_per_hour: number("per_email_per_hour", current.per_email_per_hour).clamp(1, 1000),
        notify_refusals: input.get("notify_refusals").is_some_and(|v| !v.is_empty()),
        moderator_digest: match input.get("moderator_digest").map(String::as_str) {
            Some("immediate") => "immediate".into(),
            Some("off") => "off".into(),
            _ => "hourly".into(),
        },
    };
    let mut site = (*state.site()).clone();
    let digest_turned_hourly =
        site.comments.moderator_digest != "hourly" && comments_settings.moderator_digest == "hourly";
    site.comments = comments_settings;
    let mut tx = state.db().begin().await?;
    crate::store::moderation::save_lists(&mut tx, &lists).await?;
    settings::save_site(&mut tx, &site).await?;
    if digest_turned_hourly {
        jobs::enqueue(&mut tx, &Job::ModeratorDigest, now_ms() + 3_600_000, state.config().jobs.max_attempts).await?;
    }
    audit::record(
        &mut tx,
        &audit::Entry {
            actor_id: Some(staff.user.id),
            action: "moderation.lists",
            object_type: "settings",
            object_id: None,
            detail: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    state.reload_site().await?;
    state.reload_moderation().await?;
    Ok(Redirect::to(&format!("{BASE}/commentaires/listes?ok=saved")).into_response())
}
