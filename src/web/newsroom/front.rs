//! Front-page curation: the lead story and the featured ones, in order, moved with plain
//! buttons (no drag and drop, no script needed).

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Touched};
use crate::error::{AppError, PageResult};
use crate::news::{Lang, Role};
use crate::store::articles::{self, ArticleCard, Scope};
use crate::store::desk::{self, DeskArticle};
use crate::web::newsroom::session::{BASE, Staff, StaffForm};
use crate::web::newsroom::{Desk, Did, finish, render};

#[derive(Deserialize, Default)]
pub struct FrontQuery {
    #[serde(default)]
    lang: String,
    ok: Option<String>,
}

#[derive(Serialize)]
struct FrontPage {
    #[serde(flatten)]
    desk: Desk,
    edition: &'static str,
    editions: Vec<(&'static str, &'static str)>,
    placed: Vec<DeskArticle>,
    candidates: Vec<ArticleCard>,
}

fn edition(state: &AppState, code: &str) -> Lang {
    Lang::parse(code).filter(|l| state.site().enabled_languages.contains(l)).unwrap_or(state.site().default_language)
}

pub async fn show_front(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<FrontQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_publish)?;
    let lang = edition(&state, &query.lang);
    let placed: Vec<DeskArticle> = desk::front(state.db()).await?.into_iter().filter(|a| a.language == lang).collect();
    let candidates = articles::listing(state.db(), lang, Scope::All, 60, 0)
        .await?
        .into_iter()
        .filter(|c| !placed.iter().any(|p| p.id == c.id))
        .collect();
    let page = FrontPage {
        desk: Desk::new(&state, &staff, "/une", query.ok.as_deref()),
        edition: lang.code(),
        editions: state.site().enabled_languages.iter().map(|l| (l.code(), l.native_name())).collect(),
        placed,
        candidates,
    };
    render(&state, "newsroom/front.html", &page)
}

#[derive(Deserialize)]
pub struct FrontInput {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    id: String,
}

pub async fn arrange_front(State(state): State<AppState>, form: StaffForm<FrontInput>) -> PageResult<Response> {
    let StaffForm { staff, input } = form;
    staff.require(Role::can_publish)?;
    let lang = edition(&state, &input.lang);
    let id: i64 = input.id.parse().map_err(|_| AppError::BadRequest("no article chosen".into()))?;
    let mut order: Vec<i64> =
        desk::front(state.db()).await?.into_iter().filter(|a| a.language == lang).map(|a| a.id).collect();
    let at = order.iter().position(|x| *x == id);
    match (input.action.as_str(), at) {
        ("add", None) => order.push(id),
        ("lead", Some(i)) => {
            order.remove(i);
            order.insert(0, id);
        }
        ("lead", None) => order.insert(0, id),
        ("up", Some(i)) if i > 0 => order.swap(i, i - 1),
        ("down", Some(i)) if i + 1 < order.len() => order.swap(i, i + 1),
        ("remove", Some(i)) => {
            order.remove(i);
        }
        _ => {}
    }
    let mut tx = state.db().begin().await?;
    desk::set_front(&mut tx, lang, &order).await?;
    let did = Did {
        action: "front.arrange",
        object_type: "article",
        object_id: Some(id),
        detail: serde_json::json!({ "action": input.action, "lang": lang.code(), "order": order }),
    };
    finish(&state, &staff, tx, did, Touched::Everything, &format!("{BASE}/une?lang={}&ok=saved", lang.code())).await
}
