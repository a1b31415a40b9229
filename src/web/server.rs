//! The HTTP server, in nginx's shape: one task accepts connections and hands each to one of N
//! single-threaded runtimes (one per core), where the connection lives until it closes. Reading
//! the request, answering from the page cache and writing the answer all happen on that thread,
//! with no hand-off between threads. A request the cache cannot answer goes to the router on
//! the main (work-stealing) runtime, where rendering and the database run, and its answer comes
//! back to the connection's thread to be written.
//!
//! Why not `axum::serve` on the main runtime: under a spike the hot pages are cache hits, and
//! there each hit crossed threads (the socket's wake-up on one worker, the task run by another):
//! context switches took a fifth of the CPU in the profile of the cached-page benchmark
//! (docs/performance.md).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::app::AppState;
use crate::web::layers;

/// What every connection's requests need, shared by all threads.
struct Shared {
    state: AppState,
    router: Router,
    header_timeout: Duration,
    body_timeout: Duration,
    /// The main runtime, where the router runs.
    main: tokio::runtime::Handle,
    /// Turns true when the server stops: connections finish their request and close.
    stop: watch::Receiver<bool>,
}

/// One connection thread: its runtime and how many connections it holds.
struct ConnectionThread {
    runtime: tokio::runtime::Handle,
    connections: Arc<AtomicUsize>,
}

/// Ends the connection threads when the server is done (or dropped, when the grace period
/// ran out): their runtimes drop whatever connections remain.
struct ThreadsGuard {
    close: watch::Sender<bool>,
}

impl Drop for ThreadsGuard {
    fn drop(&mut self) {
        let _ = self.close.send(true);
    }
}

/// Serves `router` on `listener` until `stop` turns true, then lets the connections finish
/// the request they are answering and returns once all have closed. `threads` connection
/// threads (0: one per core).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    router: Router,
    stop: watch::Receiver<bool>,
    threads: usize,
) -> std::io::Result<()> {
    let count = match threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    };
    let (close, closed) = watch::channel(false);
    let guard = ThreadsGuard { close };
    let threads = (0..count).map(|i| start_thread(i, closed.clone())).collect::<std::io::Result<Vec<_>>>()?;
    let server = &state.config().server;
    let (header_timeout, body_timeout) =
        (Duration::from_secs(server.header_timeout_seconds), Duration::from_secs(server.body_timeout_seconds));
    let shared = Arc::new(Shared {
        state,
        router,
        header_timeout,
        body_timeout,
        main: tokio::runtime::Handle::current(),
        stop: stop.clone(),
    });

    let mut stopping = stop.clone();
    let mut next = 0usize;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stopping) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of file descriptors, most often: wait for some connections to close.
                tracing::error!(%error, "cannot accept a connection; retrying in 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // The thread holding the fewest connections; ties go round the threads in turn.
        next = (next + 1) % threads.len();
        let thread = (0..threads.len())
            .map(|k| &threads[(next + k) % threads.len()])
            .min_by_key(|t| t.connections.load(Ordering::Relaxed))
            .unwrap_or(&threads[0]);
        // The socket leaves this runtime's reactor and joins the connection thread's.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%error, "cannot hand a connection over");
                continue;
            }
        };
        thread.connections.fetch_add(1, Ordering::Relaxed);
        let connections = thread.connections.clone();
        let shared = shared.clone();
        thread.runtime.spawn(async move {
            serve_connection(stream, peer, shared).await;
            connections.fetch_sub(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    // Connections close after their current request (the caller bounds the wait).
    while threads.iter().any(|t| t.connections.load(Ordering::Relaxed) > 0) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(guard);
    Ok(())
}

/// Starts a connection thread with its own single-threaded runtime, running until `closed`.
fn start_thread(index: usize, mut closed: watch::Receiver<bool>) -> std::io::Result<ConnectionThread> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new().name(format!("gazette-http-{index}")).spawn(move || {
        runtime.block_on(async move {
            while !*closed.borrow() {
                if closed.changed().await.is_err() {
                    break;
                }
            }
        });
    })?;
    Ok(ConnectionThread { runtime: handle, connections: Arc::new(AtomicUsize::new(0)) })
}

async fn serve_connection(stream: std::net::TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else { return };
    // The answer goes out in one write; without this a second small write (a chunk of a
    // streamed body) can wait for the reader's delayed acknowledgement.
    let _ = stream.set_nodelay(true);
    let mut stop = shared.stop.clone();
    let header_timeout = shared.header_timeout;
    let service = hyper::service::service_fn(move |request| answer(shared.clone(), peer, request));
    let connection = hyper::server::conn::http1::Builder::new()
        // hyper closes a connection whose request headers take longer than this to arrive,
        // counted from the connection's opening or the previous answer: neither a client
        // trickling its headers nor an idle kept-alive connection holds a socket for long.
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopped(&mut stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// One request: from the cache on this thread when it can, else through the router on the
/// main runtime.
async fn answer(
    shared: Arc<Shared>,
    peer: SocketAddr,
    mut request: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, Infallible> {
    request.extensions_mut().insert(ConnectInfo(peer));
    if let Some(response) = layers::cached_answer(&shared.state, &request) {
        return Ok(response);
    }
    // Only a body that may carry data gets a deadline: most requests (GETs) have none, and pay
    // for nothing.
    let too_slow = (!hyper::body::Body::is_end_stream(request.body())).then(|| Arc::new(AtomicBool::new(false)));
    let mut request = match &too_slow {
        Some(flag) => {
            let body_timeout = shared.body_timeout;
            request.map(|body| axum::body::Body::new(Deadline::new(body, body_timeout, flag.clone())))
        }
        None => request.map(axum::body::Body::new),
    };
    request.extensions_mut().insert(layers::CacheTried);
    // Spawned, not awaited here: rendering belongs on the main runtime's workers, and a reader
    // who goes away does not cut a handler off halfway through its writes.
    let routed = shared.main.spawn(shared.router.clone().oneshot(request));
    Ok(match routed.await {
        // Whatever the handler made of a body cut off (a 400 from its extractor, most often),
        // the client hears that it was too slow, and the connection closes.
        Ok(Ok(_)) if too_slow.is_some_and(|flag| flag.load(Ordering::Relaxed)) => {
            let mut response = (StatusCode::REQUEST_TIMEOUT, BodyTooSlow.to_string()).into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(error) => {
            tracing::error!(%error, "a request handler failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    })
}

/// Resolves once `stop` turns true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Errors that concern one connection only (the client went away before it was accepted).
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// A request body that must arrive in time: `base` plus one second per [`MIN_BODY_RATE`]
/// bytes received, from the first read. hyper bounds the headers only; without this a client
/// could hold a connection and a handler for as long as it liked by sending a form a byte at a
/// time. The clock starts when a handler first reads the body, so a body nobody reads costs
/// nothing.
struct Deadline<B> {
    body: B,
    base: Duration,
    started: Option<tokio::time::Instant>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    received: u64,
    /// Set when the body is cut off, for the answer to say so.
    tripped: Arc<AtomicBool>,
}

/// Bytes per second a request body must keep up, on average, beyond its base allowance.
const MIN_BODY_RATE: u64 = 500;

impl<B> Deadline<B> {
    fn new(body: B, base: Duration, tripped: Arc<AtomicBool>) -> Self {
        Deadline { body, base, started: None, timer: None, received: 0, tripped }
    }
}

impl<B> hyper::body::Body for Deadline<B>
where
    B: hyper::body::Body<Data = hyper::body::Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = hyper::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let started = *this.started.get_or_insert_with(tokio::time::Instant::now);
        let deadline = started + this.base + Duration::from_secs(this.received / MIN_BODY_RATE);
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            // The whole declared body is here (hyper's hint is what remains to come); hyper may
            // still answer Pending once before it says the body ended: that is not slowness.
            Poll::Pending if this.body.size_hint().exact() == Some(0) => Poll::Pending,
            Poll::Pending => {
                let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.deadline() != deadline {
                    timer.as_mut().reset(deadline);
                }
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.tripped.store(true, Ordering::Relaxed);
                        Poll::Ready(Some(Err(BodyTooSlow.into())))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// Why a request body was cut off.
#[derive(Debug)]
struct BodyTooSlow;

impl std::fmt::Display for BodyTooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body came too slowly")
    }
}

impl std::error::Error for BodyTooSlow {}
