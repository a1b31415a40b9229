//! `gazette bench`: what the benchmark script cannot see from outside. With the page cache
//! off, it renders the front, a section and an article page through the real router many
//! times, and runs varied searches in the three languages; it prints medians and tails, one
//! line per figure, in a form `bench/run.sh` collects.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt as _;

use crate::app::AppState;
use crate::command::{Fatal, open_migrated};
use crate::config::Config;
use crate::news::Lang;
use crate::store::{col, now_ms};
use crate::urls::urlencode;

/// The pages rendered and the queries searched.
pub struct BenchOptions {
    pub renders: usize,
    pub searches: usize,
}

pub async fn run(mut config: Config, options: &BenchOptions) -> Result<(), Fatal> {
    config.cache.enabled = false;
    let db = open_migrated(&config).await?;
    let state = AppState::build(config, db.clone()).await?;
    let router = crate::web::router(state.clone());
    let articles: i64 = col(&sqlx::query("select count(*) as n from articles").fetch_one(db.reader()).await?, "n")?;
    println!("database: {} · {articles} articles", db.engine().name());

    let (section, article) = sample_pages(&state).await?;
    for (label, path) in [("front", "/".to_string()), ("section", format!("/{section}")), ("article", article)] {
        let mut times = Vec::with_capacity(options.renders);
        // A few renders first: templates compiled, connections open, pages in the OS cache.
        for round in 0..options.renders + 20 {
            let (elapsed, status, _) = get(&router, &path).await?;
            if status != 200 {
                return Err(Fatal::runtime(format!("{path} answered {status}")));
            }
            if round >= 20 {
                times.push(elapsed);
            }
        }
        let summary = Summary::of(&mut times);
        println!(
            "render {label:<8} {path}: median {:.3} ms · p99 {:.3} ms · {} renders, cache off",
            summary.median, summary.p99, summary.count
        );
    }

    let queries = search_queries(&state, options.searches).await?;
    // A first pass reads the index from disk into memory (after a reboot, or on a machine
    // whose memory went to something else); the figures are those of a running site.
    let mut cold = Vec::with_capacity(queries.len());
    for (_, query) in &queries {
        cold.push(get(&router, &format!("/recherche?{query}")).await?.0);
    }
    let cold = Summary::of(&mut cold);
    println!(
        "search, first pass (index read from disk): p50 {:.2} ms · p95 {:.2} ms · max {:.2} ms",
        cold.median, cold.p95, cold.max
    );
    let mut times = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(Duration, String)> = Vec::with_capacity(queries.len());
    let mut empty = 0;
    let mut per_lang = [0usize; 3];
    for (lang, query) in &queries {
        let path = format!("/recherche?{query}");
        let (elapsed, status, body) = get(&router, &path).await?;
        if status != 200 {
            return Err(Fatal::runtime(format!("{path} answered {status}")));
        }
        if !body.contains("class=\"hit\"") {
            empty += 1;
        }
        per_lang[match lang {
            Lang::Fr => 0,
            Lang::Ar => 1,
            Lang::En => 2,
        }] += 1;
        times.push(elapsed);
        slowest.push((elapsed, path));
    }
    slowest.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
    for (elapsed, path) in slowest.iter().take(5) {
        println!("slow search {:.2} ms: {path}", elapsed.as_secs_f64() * 1000.0);
    }
    let summary = Summary::of(&mut times);
    println!(
        "search: p50 {:.2} ms · p95 {:.2} ms · max {:.2} ms · {} queries (fr {}, ar {}, en {}), {empty} without results",
        summary.median, summary.p95, summary.max, summary.count, per_lang[0], per_lang[1], per_lang[2]
    );
    db.close().await;
    Ok(())
}

async fn get(router: &axum::Router, path: &str) -> Result<(Duration, u16, String), Fatal> {
    let request = Request::get(path).body(Body::empty()).map_err(|e| Fatal::runtime(e.to_string()))?;
    let started = Instant::now();
    let response = router.clone().oneshot(request).await.map_err(|e| Fatal::runtime(e.to_string()))?;
    let status = response.status().as_u16();
    let bytes =
        axum::body::to_bytes(response.into_body(), usize::MAX).await.map_err(|e| Fatal::runtime(e.to_string()))?;
    let elapsed = started.elapsed();
    Ok((elapsed, status, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Milliseconds at the median and in the tail.
struct Summary {
    median: f64,
    p95: f64,
    p99: f64,
    max: f64,
    count: usize,
}

impl Summary {
    fn of(times: &mut [Duration]) -> Summary {
        times.sort_unstable();
        let at = |q: f64| {
            if times.is_empty() {
                return 0.0;
            }
            let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
            times[i].as_secs_f64() * 1000.0
        };
        Summary { median: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1.0), count: times.len() }
    }
}

/// The busiest section and the newest French article with comments: a typical page.
async fn sample_pages(state: &AppState) -> Result<(String, String), Fatal> {
    let db = state.db();
    let section: String = sqlx::query(
        "select s.slug from sections s where s.parent_id is null and exists \
         (select 1 from articles a where a.section_id = s.id and a.status = 'published') order by s.position, s.id limit 1",
    )
    .fetch_optional(db.reader())
    .await?
    .map(|r| col(&r, "slug"))
    .transpose()?
    .ok_or_else(|| Fatal::runtime("the database has no published article: run `gazette demo --articles N` first"))?;
    let article = sqlx::query(
        "select a.slug, s.slug as section from articles a join sections s on s.id = a.section_id \
         where a.status = 'published' and a.language = 'fr' and a.publish_at <= $1 \
           and exists (select 1 from comments c where c.article_id = a.id and c.status = 'approved') \
         order by a.publish_at desc limit 1",
    )
    .bind(now_ms())
    .fetch_optional(db.reader())
    .await?
    .ok_or_else(|| Fatal::runtime("no published French article with comments"))?;
    let path = format!("/{}/{}", col::<String>(&article, "section")?, col::<String>(&article, "slug")?);
    Ok((section, path))
}

/// Varied queries made from the archive's own headlines, spread over its whole span: one rare
/// word, two words, a pasted headline, a quoted phrase, a common word alone (the costly case
/// for ranking), and words with a language, section or year filter.
async fn search_queries(state: &AppState, wanted: usize) -> Result<Vec<(Lang, String)>, Fatal> {
    let db = state.db();
    let max_id: i64 =
        col(&sqlx::query("select coalesce(max(id), 0) as n from articles").fetch_one(db.reader()).await?, "n")?;
    let step = (max_id / wanted.max(1) as i64).max(1);
    let rows = sqlx::query(
        "select a.title, a.language, a.publish_at, s.slug as section from articles a \
         join sections s on s.id = a.section_id where a.status = 'published' and a.id % $1 = 0 order by a.id",
    )
    .bind(step)
    .fetch_all(db.reader())
    .await?;
    let common = |lang: Lang| match lang {
        Lang::Fr => "gouvernement",
        Lang::Ar => "الحكومة",
        Lang::En => "government",
    };
    let mut queries = Vec::new();
    for (k, row) in rows.iter().take(wanted).enumerate() {
        let title: String = col(row, "title")?;
        let lang = Lang::parse(&col::<String>(row, "language")?).unwrap_or(Lang::Fr);
        let section: String = col(row, "section")?;
        let day = crate::render::dates::iso_date(col::<i64>(row, "publish_at")?, chrono_tz::UTC);
        let year = day.get(..4).unwrap_or("2020");
        let words: Vec<&str> = title.split_whitespace().collect();
        let longest = words.iter().copied().max_by_key(|w| w.chars().count()).unwrap_or("");
        let long_words: Vec<&str> = words.iter().copied().filter(|w| w.chars().count() > 3).collect();
        let q = match k % 8 {
            0 => format!("q={}", urlencode(longest)),
            1 => format!("q={}", urlencode(&long_words.iter().take(2).copied().collect::<Vec<_>>().join(" "))),
            2 => format!("q={}", urlencode(&title)),
            3 => format!(
                "q={}",
                urlencode(&format!("\"{}\"", words.iter().take(2).copied().collect::<Vec<_>>().join(" ")))
            ),
            4 => format!("q={}", urlencode(common(lang))),
            5 => format!("q={}&lang={}", urlencode(longest), lang.code()),
            6 => format!(
                "q={}&section={}",
                urlencode(long_words.first().copied().unwrap_or(longest)),
                urlencode(&section)
            ),
            _ => format!("q={}&from={year}-01-01&to={year}-12-31", urlencode(longest)),
        };
        queries.push((lang, q));
    }
    Ok(queries)
}
