//! `policykb serve`: build the site into a temporary folder, serve it on 127.0.0.1, watch the
//! sources, rebuild on change and tell every open tab to reload (or show the errors).
//!
//! Three parts, each small:
//! - the **builder** (`Builder`): the ordinary build, into a folder of our own, never
//!   `public/` or anything in the knowledge base; a failed build leaves the last good site;
//!   an edit to the text of existing pages updates just those pages (see `live`);
//! - the **watcher** (`watch`): notify events, `Access` events ignored, a burst of saves
//!   coalesced into one rebuild;
//! - the **server** (`router`): tower-http's `ServeDir` for the files, behind a guard that
//!   refuses any path leaving the site (`..`, encoded or not, and symlinks pointing out), an
//!   HTML filter that adds the reload script, and a server-sent-events stream of build results.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::Serialize;
use thiserror::Error;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

use crate::live::{LiveSite, Update};

/// The script every served HTML page gets (never the output of `build`).
const RELOAD_SCRIPT: &str = include_str!("serve_reload.js");
/// Where the server answers for itself; no site file can live there.
const OWN_PREFIX: &str = "/__policykb/";
/// First port tried when none is given; the next ones are tried if it is taken.
const DEFAULT_PORT: u16 = 1111;
/// Quiet time that ends a burst of file events.
const SETTLE: Duration = Duration::from_millis(25);

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// `None`: the first free port from 1111; `Some(0)`: any free port.
    pub port: Option<u16>,
}

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The outcome of the latest build, as the browser receives it.
#[derive(Debug, Clone, Serialize)]
pub struct BuildStatus {
    /// Increases with every successful build; pages remember the one they were served with.
    pub version: u64,
    /// Every problem of the latest build, if it failed (`error: file:line: message …`).
    pub errors: Vec<String>,
    /// The latest change touched only stylesheets.
    pub css_only: bool,
    /// Pages updated one by one (under `content/`); empty after a full build.
    pub updated: Vec<String>,
}

struct ServerState {
    site: PathBuf,
    status: Mutex<BuildStatus>,
    updates: broadcast::Sender<BuildStatus>,
}

/// The builder: the last good build in memory, for page-by-page updates.
struct Builder {
    root: PathBuf,
    site: PathBuf,
    live: Option<LiveSite>,
}

impl Builder {
    /// Rebuilds after `changed` files changed. After a failed build, or with nothing built
    /// yet, always a full build, so that every remaining error is found again.
    fn rebuild(
        &mut self,
        changed: &[PathBuf],
        previous: &BuildStatus,
        css_only: bool,
    ) -> BuildStatus {
        let started = Instant::now();
        let outcome = match &mut self.live {
            Some(live) if previous.errors.is_empty() => live.update(changed),
            _ => LiveSite::build(&self.root, &self.site).map(|live| {
                let report = live.report();
                let update = Update::Full {
                    summary: report.summary(),
                    warnings: report.warnings.clone(),
                };
                self.live = Some(live);
                update
            }),
        };
        let elapsed = started.elapsed().as_millis();
        match outcome {
            Ok(Update::Pages { pages, files }) => {
                eprintln!(
                    "updated {} in {elapsed} ms ({files} files)",
                    pages.join(", ")
                );
                BuildStatus {
                    version: previous.version + 1,
                    errors: Vec::new(),
                    css_only: false,
                    updated: pages,
                }
            }
            Ok(Update::Full { summary, warnings }) => {
                for warning in &warnings {
                    eprintln!("{warning}");
                }
                eprintln!("rebuilt in {elapsed} ms: {summary}");
                BuildStatus {
                    version: previous.version + 1,
                    errors: Vec::new(),
                    css_only,
                    updated: Vec::new(),
                }
            }
            Err(failure) => BuildStatus {
                version: previous.version,
                errors: failure
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                css_only: false,
                updated: Vec::new(),
            },
        }
    }
}

/// Builds, serves and watches until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let site = std::env::temp_dir().join(format!("policykb-serve-{}", std::process::id()));
    let mut builder = Builder {
        root: options.root.clone(),
        site: site.clone(),
        live: None,
    };
    let nothing_yet = BuildStatus {
        version: 0,
        errors: vec!["not built yet".into()],
        css_only: false,
        updated: Vec::new(),
    };
    let first = builder.rebuild(&[], &nothing_yet, false);
    report(&first);
    let (updates, _) = broadcast::channel(16);
    let state = Arc::new(ServerState {
        site: site.clone(),
        status: Mutex::new(first),
        updates,
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let listener = bind(options.bind, options.port).await?;
        let address = listener.local_addr()?;
        println!(
            "serving {} on http://{address}/ (Ctrl-C to stop)",
            options.root.join("content").display()
        );
        let _watcher = watch(builder, Arc::clone(&state))?;
        // Open tabs keep their event streams open forever, so stop at once on Ctrl-C
        // rather than waiting for connections to end.
        tokio::select! {
            served = axum::serve(listener, router(state)) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok::<(), ServeError>(())
    });
    // The site folder is ours (a temporary folder); remove it when we stop.
    let _ = std::fs::remove_dir_all(&site);
    println!("stopped");
    result
}

async fn bind(address: IpAddr, port: Option<u16>) -> Result<tokio::net::TcpListener, ServeError> {
    let ports: Vec<u16> = match port {
        Some(port) => vec![port],
        None => (DEFAULT_PORT..DEFAULT_PORT + 20).collect(),
    };
    let mut last_error = None;
    for port in ports {
        match tokio::net::TcpListener::bind(SocketAddr::new(address, port)).await {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    Err(ServeError::Bind {
        address: format!("{address}:{}", port.unwrap_or(DEFAULT_PORT)),
        source: last_error.unwrap_or_else(|| std::io::Error::other("no port to try")),
    })
}

fn report(status: &BuildStatus) {
    for error in &status.errors {
        eprintln!("{error}");
    }
    if !status.errors.is_empty() {
        eprintln!("build failed; still serving the last good site; fix the files and save again");
    }
}

/// Watches the knowledge base's sources; each settled burst of changes triggers one rebuild.
fn watch(
    mut builder: Builder,
    state: Arc<ServerState>,
) -> Result<notify::RecommendedWatcher, ServeError> {
    let root = builder.root.clone();
    let (sender, receiver) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(sender).map_err(|source| ServeError::Watch {
        path: root.to_path_buf(),
        source,
    })?;
    for folder in ["content", "templates", "static", "themes"] {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|source| ServeError::Watch {
                    path: path.clone(),
                    source,
                })?;
        }
    }
    std::thread::spawn(move || {
        while let Some(changed) = next_burst(&receiver) {
            let css_only = !changed.is_empty()
                && changed
                    .iter()
                    .all(|p| p.extension().is_some_and(|e| e == "css"));
            let previous = match state.status.lock() {
                Ok(status) => status.clone(),
                Err(_) => break,
            };
            let status = builder.rebuild(&changed, &previous, css_only);
            report(&status);
            if let Ok(mut current) = state.status.lock() {
                *current = status.clone();
            }
            let _ = state.updates.send(status);
        }
    });
    Ok(watcher)
}

/// Waits for a change that matters, then collects events until `SETTLE` passes quietly.
/// Returns the changed paths, or `None` when the watcher is gone.
fn next_burst(receiver: &mpsc::Receiver<notify::Result<notify::Event>>) -> Option<Vec<PathBuf>> {
    let mut changed = Vec::new();
    loop {
        let event = receiver.recv().ok()?;
        collect(event, &mut changed);
        if !changed.is_empty() {
            break;
        }
    }
    while let Ok(event) = receiver.recv_timeout(SETTLE) {
        collect(event, &mut changed);
    }
    Some(changed)
}

fn collect(event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>) {
    let Ok(event) = event else { return };
    if matches!(event.kind, EventKind::Access(_)) {
        return;
    }
    for path in event.paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let editor_noise = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp");
        if !editor_noise && !changed.contains(&path) {
            changed.push(path);
        }
    }
}

fn router(state: Arc<ServerState>) -> Router {
    let files = ServeDir::new(&state.site).append_index_html_on_directories(true);
    Router::new()
        .route("/__policykb/events", get(events))
        .route("/__policykb/reload.js", get(reload_script))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            add_reload_script,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            refuse_outside_paths,
        ))
        .with_state(state)
}

/// Build results as server-sent events: the current status first, then every new one.
async fn events(
    State(state): State<Arc<ServerState>>,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let current = state.status.lock().map(|s| s.clone()).ok();
    let updates = state.updates.subscribe();
    let first = stream::iter(current.map(|s| Ok(status_event(&s))));
    let rest = stream::unfold(updates, |mut updates| async move {
        loop {
            match updates.recv().await {
                Ok(status) => return Some((Ok(status_event(&status)), updates)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures_util::StreamExt::chain(first, rest)).keep_alive(KeepAlive::default())
}

fn status_event(status: &BuildStatus) -> Event {
    let data = serde_json::to_string(status).unwrap_or_else(|_| "{}".into());
    Event::default().event("status").data(data)
}

async fn reload_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        RELOAD_SCRIPT,
    )
}

/// Refuses every request whose path would leave the site folder: `..` segments (also
/// percent-encoded), backslashes, NUL, and files that resolve (through symlinks) outside it.
async fn refuse_outside_paths(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if path.starts_with(OWN_PREFIX) {
        return next.run(request).await;
    }
    let Some(decoded) = percent_decode(&path) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let unsafe_segment = |s: &&str| {
        *s == ".." || *s == "." || s.contains('\\') || s.contains('\0') || s.contains(':')
    };
    if segments.iter().any(unsafe_segment) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let target = segments
        .iter()
        .fold(state.site.clone(), |path, s| path.join(s));
    if let (Ok(real), Ok(site)) = (target.canonicalize(), state.site.canonicalize()) {
        if !real.starts_with(&site) {
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    next.run(request).await
}

/// HTML pages get the reload script before `</body>` and an explicit UTF-8 charset.
async fn add_reload_script(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let version = state.status.lock().map(|s| s.version).unwrap_or(0);
    let tag = format!("<script src=\"{OWN_PREFIX}reload.js\" data-version=\"{version}\"></script>");
    let html = String::from_utf8_lossy(&bytes);
    let html = match html.rfind("</body>") {
        Some(at) => format!("{}{tag}\n{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}"),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::ETAG);
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(html))
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
pub fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_reveals_encoded_dots() {
        assert_eq!(percent_decode("/%2e%2e/x").as_deref(), Some("/../x"));
        assert_eq!(
            percent_decode("/%E9%97%AE.html").as_deref(),
            Some("/问.html")
        );
        assert_eq!(percent_decode("/%zz"), None);
    }
}
