//! Prometheus metrics: requests by route and status, a latency histogram per route, page-cache
//! hits. Job counts are read from the database when `/metrics` is scraped.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Clone, Default, Debug)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    total: u64,
}

/// What one route has answered: counts by (method, status), and its latency.
#[derive(Clone, Default, Debug)]
struct RouteStats {
    answers: Vec<(&'static str, u16, u64)>,
    latency: Histogram,
}

#[derive(Default, Debug)]
pub struct Metrics {
    /// By route pattern. One lock and no allocation per request once a route has been seen:
    /// this runs on every cached page served.
    routes: Mutex<HashMap<String, RouteStats>>,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    /// Reads counted since the start (cache hits included).
    pub reads_counted: AtomicU64,
}

/// The methods we name in metrics; anything else is "OTHER" (bounded series).
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

impl Metrics {
    /// Records one answered request. `route` is the router's pattern (`/{section}/{slug}`),
    /// never the raw path, so the number of series stays bounded.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let Ok(mut routes) = self.routes.lock() else { return };
        let stats = match routes.get_mut(route) {
            Some(stats) => stats,
            None => routes.entry(route.to_string()).or_default(),
        };
        match stats.answers.iter_mut().find(|(m, s, _)| *m == method && *s == status) {
            Some((_, _, count)) => *count += 1,
            None => stats.answers.push((method, status, 1)),
        }
        let seconds = elapsed.as_secs_f64();
        let histogram = &mut stats.latency;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                histogram.counts[i] += 1;
            }
        }
        histogram.sum += seconds;
        histogram.total += 1;
    }

    /// The Prometheus text exposition, with the job counts passed in.
    pub fn render(&self, jobs: &[(String, i64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP gazette_http_requests_total HTTP requests answered, by route and status.\n");
        out.push_str("# TYPE gazette_http_requests_total counter\n");
        // A snapshot, so the lock is not held while formatting.
        let mut routes: Vec<(String, RouteStats)> = match self.routes.lock() {
            Ok(routes) => routes.iter().map(|(route, stats)| (route.clone(), stats.clone())).collect(),
            Err(_) => Vec::new(),
        };
        routes.sort_by(|a, b| a.0.cmp(&b.0));
        for (route, stats) in &mut routes {
            stats.answers.sort();
            for (method, status, count) in &stats.answers {
                let _ = writeln!(
                    out,
                    "gazette_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape_label(route)
                );
            }
        }
        out.push_str("# HELP gazette_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE gazette_http_request_duration_seconds histogram\n");
        for (route, stats) in &routes {
            let (route, h) = (escape_label(route), &stats.latency);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "gazette_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "gazette_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.total
            );
            let _ = writeln!(out, "gazette_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "gazette_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.total);
        }
        out.push_str("# HELP gazette_page_cache_hits_total Pages served from the page cache.\n");
        out.push_str("# TYPE gazette_page_cache_hits_total counter\n");
        let _ = writeln!(out, "gazette_page_cache_hits_total {}", self.cache_hits.load(Ordering::Relaxed));
        out.push_str("# HELP gazette_reads_counted_total Article reads counted (cache hits included).\n");
        out.push_str("# TYPE gazette_reads_counted_total counter\n");
        let _ = writeln!(out, "gazette_reads_counted_total {}", self.reads_counted.load(Ordering::Relaxed));
        out.push_str("# HELP gazette_page_cache_misses_total Pages rendered because the cache lacked them.\n");
        out.push_str("# TYPE gazette_page_cache_misses_total counter\n");
        let _ = writeln!(out, "gazette_page_cache_misses_total {}", self.cache_misses.load(Ordering::Relaxed));
        out.push_str("# HELP gazette_jobs Jobs in the job table, by status.\n");
        out.push_str("# TYPE gazette_jobs gauge\n");
        for status in ["queued", "running", "done", "failed"] {
            let n = jobs.iter().find(|(s, _)| s == status).map(|(_, n)| *n).unwrap_or(0);
            let _ = writeln!(out, "gazette_jobs{{status=\"{status}\"}} {n}");
        }
        out
    }
}

fn escape_label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_requests_and_buckets() {
        let metrics = Metrics::default();
        metrics.record("GET", "/healthz", 200, Duration::from_micros(300));
        metrics.record("GET", "/healthz", 200, Duration::from_millis(30));
        metrics.record("BREW", "/healthz", 418, Duration::from_millis(1));
        let text = metrics.render(&[("queued".into(), 3)]);
        assert!(text.contains("gazette_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"));
        assert!(text.contains("gazette_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0005\"} 1"));
        assert!(text.contains("gazette_http_request_duration_seconds_count{route=\"/healthz\"} 3"));
        assert!(text.contains("gazette_http_requests_total{method=\"OTHER\",route=\"/healthz\",status=\"418\"} 1"));
        assert!(text.contains("gazette_jobs{status=\"queued\"} 3"));
        assert!(text.contains("gazette_jobs{status=\"failed\"} 0"));
    }
}
