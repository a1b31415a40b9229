//! The desk: what is waiting (in review, scheduled), one's own drafts, and the article list
//! with filters.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::error::PageResult;
use crate::news::{ArticleStatus, CommentStatus, Role};
use crate::store::comments;
use crate::store::desk::{self, DeskArticle, DeskFilter};
use crate::web::newsroom::session::Staff;
use crate::web::newsroom::{Desk, render};
use crate::web::pager::{Pager, page_number};

#[derive(Serialize)]
struct Dashboard {
    #[serde(flatten)]
    desk: Desk,
    in_review: Vec<DeskArticle>,
    scheduled: Vec<DeskArticle>,
    mine: Vec<DeskArticle>,
    pending_comments: i64,
    can_write: bool,
}

pub async fn show_dashboard(State(state): State<AppState>, staff: Staff) -> PageResult<Response> {
    let db = state.db();
    let mine_only = (!staff.role().can_publish()).then_some(staff.user.id);
    let scope = |status| DeskFilter { status: Some(status), mine: mine_only, q: String::new() };
    let own = DeskFilter { status: Some(ArticleStatus::Draft), mine: Some(staff.user.id), q: String::new() };
    let (review_filter, scheduled_filter) = (scope(ArticleStatus::Review), scope(ArticleStatus::Scheduled));
    let (in_review, scheduled, mine, pending) = tokio::try_join!(
        desk::list(db, &review_filter, 20, 0),
        desk::list(db, &scheduled_filter, 20, 0),
        desk::list(db, &own, 20, 0),
        comments::count_by_status(db, CommentStatus::Pending),
    )?;
    let page = Dashboard {
        desk: Desk::new(&state, &staff, "", None),
        in_review,
        scheduled,
        mine,
        pending_comments: if staff.role().can_moderate() { pending } else { 0 },
        can_write: staff.role().can_write(),
    };
    render(&state, "newsroom/dashboard.html", &page)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    /// "1": only one's own articles (written, created or assigned).
    #[serde(default)]
    mine: String,
    page: Option<String>,
}

#[derive(Serialize)]
struct ArticleList {
    #[serde(flatten)]
    desk: Desk,
    articles: Vec<DeskArticle>,
    status: String,
    q: String,
    mine: bool,
    /// Editors see every article and may narrow to theirs; journalists see only theirs.
    can_choose_mine: bool,
    counts: Vec<(String, i64)>,
    pager: Pager,
}

const PER_PAGE: i64 = 50;

pub async fn list_articles(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> PageResult<Response> {
    staff.require(Role::can_write)?;
    let only_mine = query.mine == "1" || !staff.role().can_publish();
    let mine = only_mine.then_some(staff.user.id);
    let filter =
        DeskFilter { status: ArticleStatus::parse(&query.status), mine, q: query.q.chars().take(100).collect() };
    let page = page_number(query.page.as_deref());
    let counts = desk::counts(state.db(), mine).await?;
    let total: i64 =
        counts.iter().filter(|(s, _)| filter.status.is_none_or(|f| f.as_str() == s)).map(|(_, n)| *n).sum();
    let keep = format!(
        "status={}&q={}&mine={}",
        filter.status.map(|s| s.as_str()).unwrap_or(""),
        crate::urls::urlencode(&filter.q),
        if query.mine == "1" { "1" } else { "" }
    );
    let pager = Pager::new("/redaction/articles", &keep, page, total, PER_PAGE);
    let articles = desk::list(state.db(), &filter, PER_PAGE, pager.offset(PER_PAGE)).await?;
    let list = ArticleList {
        desk: Desk::new(&state, &staff, "/articles", None),
        articles,
        status: filter.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: filter.q,
        mine: query.mine == "1",
        can_choose_mine: staff.role().can_publish(),
        counts,
        pager,
    };
    render(&state, "newsroom/articles.html", &list)
}
