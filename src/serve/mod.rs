//! `policykb serve`: build the site into a private temporary folder, serve it on 127.0.0.1,
//! watch the sources, rebuild on change and tell every open tab to reload (or show the errors).
//!
//! Three parts, one module each:
//! - `builder`: the ordinary build, into a folder of our own (never `public/` or anything in
//!   the knowledge base); a failed build leaves the last good site; an edit to existing
//!   pages updates just what shows them (see `live`);
//! - `watch`: file events, debounced, `Access` events ignored, a burst of saves coalesced
//!   into one rebuild; folders that vanish and come back are watched again;
//! - `http`: tower-http's `ServeDir` for the files, behind guards for the path (nothing
//!   outside the site) and the `Host` header (no DNS rebinding), the reload script in HTML,
//!   error and 404 pages, and a server-sent-events stream of build results.

mod builder;
mod http;
mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use thiserror::Error;
use tokio::sync::broadcast;

pub use builder::BuildStatus;
use builder::Rebuilder;

/// First port tried when none is given; the next ones are tried if it is taken.
const DEFAULT_PORT: u16 = 1111;

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
    #[error("cannot create the preview folder in {}: {source}", std::env::temp_dir().display())]
    TempFolder { source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What the server and the watcher share: where the site is, and the latest build status.
pub(crate) struct ServerState {
    pub site: PathBuf,
    pub status: Mutex<BuildStatus>,
    pub updates: broadcast::Sender<BuildStatus>,
    /// Accept any `Host` header (the user bound a non-loopback address on purpose).
    pub any_host: bool,
}

/// Builds, serves and watches until Ctrl-C or SIGTERM; the preview folder is removed then.
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    // Events name files by absolute paths: a relative root (`.`, the default) would match
    // none of them, and no save would ever rebuild.
    let root = options
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.root.clone());
    // Private (0700), randomly named, created exclusively: nobody can plant it or read drafts.
    let mut preview = tempfile::Builder::new();
    preview.prefix("policykb-serve-");
    #[cfg(unix)]
    preview.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let preview = preview
        .tempdir()
        .map_err(|source| ServeError::TempFolder { source })?;
    let site = preview.path().join("site");
    let mut builder = Rebuilder::new(root.clone(), site.clone());
    let first = builder.rebuild(&[], false);
    builder::report(&first);
    let (updates, _) = broadcast::channel(16);
    let state = Arc::new(ServerState {
        site: site.clone(),
        status: Mutex::new(first),
        updates,
        any_host: !options.bind.is_loopback(),
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let stop = stop_signal()?;
        let listener = bind(options.bind, options.port).await?;
        let address = listener.local_addr()?;
        // stdout may be a pipe that its reader closed: never a reason to stop serving.
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "serving {} on http://{address}/ (Ctrl-C to stop)",
            options.root.join("content").display()
        );
        let _ = writeln!(out, "preview folder: {}", site.display());
        let _ = out.flush();
        let _watcher = watch::start(builder, Arc::clone(&state))?;
        // Open tabs keep their event streams open forever, so stop at once on a signal
        // rather than waiting for connections to end.
        tokio::select! {
            served = http::run(listener, state) => served?,
            _ = stop => {}
        }
        Ok::<(), ServeError>(())
    });
    drop(preview);
    let _ = writeln!(std::io::stdout(), "stopped");
    result
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill` and service managers send). The
/// handlers are registered when this is called, so call it before announcing the server.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
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
