//! The preview's HTTP side: files from the site folder, guarded, with live reload.
//!
//! Requests pass, outermost first: the `Host` check (only loopback names unless the user
//! bound another address on purpose, so a DNS-rebinding page cannot read the preview), the
//! path check (nothing outside the site folder: `..` segments, also percent-encoded,
//! backslashes, NUL, symlinks pointing out), then `ServeDir`. HTML responses get the reload
//! script; a missing page gets the site's `404.html` (or a plain page), and while the last
//! build has failed, a page listing the errors, which reloads itself once they are fixed.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use percent_encoding::percent_decode_str;
use tokio::sync::broadcast;
use tower_http::services::ServeDir;

use super::{BuildStatus, ServerState};

/// The script every served HTML page gets (never the output of `build`).
const RELOAD_SCRIPT: &str = include_str!("reload.js");
/// Where the server answers for itself; no site file can live there.
const OWN_PREFIX: &str = "/__policykb/";
/// A client that has not sent its request headers by then is disconnected.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until the listener fails; each is served by hyper with a
/// header-read timeout.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: Arc<ServerState>,
) -> std::io::Result<()> {
    let app = router(state);
    loop {
        let (stream, _) = listener.accept().await?;
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
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
            finish_html,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            refuse_outside_paths,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            refuse_foreign_hosts,
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

/// Only `localhost`, `127.0.0.1` and `[::1]` (any port) unless bound elsewhere on purpose.
async fn refuse_foreign_hosts(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    if state.any_host {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if is_loopback_host(host) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "policykb serve answers only to localhost, 127.0.0.1 and [::1]; use --bind to share the preview on purpose",
        )
            .into_response()
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
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
    if !path.starts_with('/') {
        return StatusCode::BAD_REQUEST.into_response();
    }
    if path.starts_with(OWN_PREFIX) {
        return next.run(request).await;
    }
    let Ok(decoded) = percent_decode_str(&path).decode_utf8() else {
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

/// HTML pages get the reload script before `</body>` and an explicit UTF-8 charset; a 404
/// becomes a page (the build's errors while it is failing, else the site's 404 page).
async fn finish_html(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let own = request.uri().path().starts_with(OWN_PREFIX);
    let response = next.run(request).await;
    if own {
        return response;
    }
    let status = state.status.lock().map(|s| s.clone()).ok();
    let version = status.as_ref().map_or(0, |s| s.version);
    if response.status() == StatusCode::NOT_FOUND {
        let errors = status.map(|s| s.errors).unwrap_or_default();
        return not_found(&state, &errors, version).await;
    }
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
    let html = with_reload_script(&String::from_utf8_lossy(&bytes), version);
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

fn with_reload_script(html: &str, version: u64) -> String {
    let tag = format!("<script src=\"{OWN_PREFIX}reload.js\" data-version=\"{version}\"></script>");
    match html.rfind("</body>") {
        Some(at) => format!("{}{tag}\n{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}"),
    }
}

/// The answer for a missing file: while the build fails, the errors (the reload script
/// shows them and reloads once they are fixed); otherwise the site's own `404.html`.
async fn not_found(state: &ServerState, errors: &[String], version: u64) -> Response {
    let page = if errors.is_empty() {
        tokio::fs::read_to_string(state.site.join("404.html"))
            .await
            .unwrap_or_else(|_| {
                plain_page(
                    "页面不存在",
                    "<p>没有这个页面。<a href=\"/\">回到首页</a></p>",
                )
            })
    } else {
        let list = errors
            .iter()
            .map(|e| format!("<li><pre>{}</pre></li>", escape(e)))
            .collect::<String>();
        plain_page(
            "构建失败",
            &format!("<p>修正以下问题并保存后，页面会自动刷新。</p><ul>{list}</ul>"),
        )
    };
    let mut response = (
        StatusCode::NOT_FOUND,
        Html(with_reload_script(&page, version)),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn plain_page(title: &str, body: &str) -> String {
    format!("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_host_names_are_accepted() {
        for host in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:8080",
            "[::1]:1111",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1.evil.example",
            "",
            "[::2]",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
