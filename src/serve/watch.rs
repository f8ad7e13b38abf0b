//! Watching the knowledge base: every settled burst of changes becomes one rebuild.
//!
//! `notify-debouncer-full` turns raw events into settled ones (25 ms without a new event
//! on a path); batches that arrive while a rebuild runs are merged into the next one.
//! The four input folders are watched recursively and the root itself non-recursively, so
//! that a folder deleted and created again (`rm -rf content && cp -a backup content`) is
//! noticed and watched again.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache};

use super::builder::{report, Rebuilder};
use super::{ServeError, ServerState};

/// Quiet time that ends a burst of file events.
const SETTLE: Duration = Duration::from_millis(25);
/// The folders whose changes trigger a rebuild.
const WATCHED: [&str; 4] = ["content", "templates", "static", "themes"];

type FileDebouncer = Debouncer<RecommendedWatcher, NoCache>;

/// Starts watching and the rebuild thread; watching stops when the returned value is dropped.
pub fn start(builder: Rebuilder, state: Arc<ServerState>) -> Result<WatchGuard, ServeError> {
    let root = builder.root().to_path_buf();
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
        SETTLE,
        None,
        sender,
        NoCache,
        notify::Config::default(),
    )
    .map_err(|source| ServeError::Watch {
        path: root.clone(),
        source,
    })?;
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|source| ServeError::Watch {
            path: root.clone(),
            source,
        })?;
    let mut folders = WatchedFolders::default();
    folders.refresh(&mut debouncer, &root);
    let thread =
        std::thread::spawn(move || rebuild_loop(builder, state, receiver, debouncer, folders));
    Ok(WatchGuard { _thread: thread })
}

/// Keeps the rebuild thread (and with it the watcher) alive.
pub struct WatchGuard {
    _thread: std::thread::JoinHandle<()>,
}

fn rebuild_loop(
    mut builder: Rebuilder,
    state: Arc<ServerState>,
    receiver: mpsc::Receiver<DebounceEventResult>,
    mut debouncer: FileDebouncer,
    mut folders: WatchedFolders,
) {
    let root = builder.root().to_path_buf();
    while let Some(changed) = next_changes(&receiver, &root) {
        folders.refresh(&mut debouncer, &root);
        let css_only = changed
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "css"));
        let status = builder.rebuild(&changed, css_only);
        report(&status);
        if let Ok(mut current) = state.status.lock() {
            *current = status.clone();
        }
        let _ = state.updates.send(status);
        builder.settle();
    }
}

/// The input folders currently watched; a folder that vanished is watched again when it
/// comes back.
#[derive(Default)]
struct WatchedFolders {
    watched: Vec<PathBuf>,
}

impl WatchedFolders {
    fn refresh(&mut self, debouncer: &mut FileDebouncer, root: &Path) {
        self.watched.retain(|path| path.is_dir());
        for folder in WATCHED {
            let path = root.join(folder);
            if path.is_dir() && !self.watched.contains(&path) {
                match debouncer.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => self.watched.push(path),
                    Err(error) => eprintln!("cannot watch {}: {error}", path.display()),
                }
            }
        }
    }
}

/// Waits for changes that matter, then takes every batch already queued as well.
/// Returns the changed paths, or `None` when the watcher is gone.
fn next_changes(
    receiver: &mpsc::Receiver<DebounceEventResult>,
    root: &Path,
) -> Option<Vec<PathBuf>> {
    let mut changed = Vec::new();
    while changed.is_empty() {
        collect(receiver.recv().ok()?, root, &mut changed);
    }
    while let Ok(batch) = receiver.try_recv() {
        collect(batch, root, &mut changed);
    }
    Some(changed)
}

fn collect(batch: DebounceEventResult, root: &Path, changed: &mut Vec<PathBuf>) {
    let Ok(events) = batch else { return };
    for event in events {
        // Our own reads of the sources are `Access` events: never a reason to rebuild.
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &event.paths {
            if is_input(path, root) && !is_editor_noise(path) && !changed.contains(path) {
                changed.push(path.clone());
            }
        }
    }
}

/// Inside one of the watched folders, or one of those folders itself (seen by the root
/// watch when it is created or deleted); other files at the root (`public/`) don't count.
fn is_input(path: &Path, root: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    let top = inside.components().next();
    top.is_some_and(|c| WATCHED.iter().any(|folder| c.as_os_str() == *folder))
}

fn is_editor_noise(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")
}
