//! The builder behind `serve`: keeps the last good build and turns file changes into a new
//! `BuildStatus` for the browser.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::live::{LiveSite, Update};

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

/// The last good build in memory, for page-by-page updates.
pub struct Rebuilder {
    root: PathBuf,
    site: PathBuf,
    live: Option<LiveSite>,
    status: BuildStatus,
}

impl Rebuilder {
    pub fn new(root: PathBuf, site: PathBuf) -> Rebuilder {
        Rebuilder {
            root,
            site,
            live: None,
            status: BuildStatus {
                version: 0,
                errors: vec!["not built yet".into()],
                css_only: false,
                updated: Vec::new(),
            },
        }
    }

    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Rebuilds after `changed` files changed. After a failed build, or with nothing built
    /// yet, always a full build, so that every remaining error is found again.
    pub fn rebuild(&mut self, changed: &[PathBuf], css_only: bool) -> BuildStatus {
        let started = Instant::now();
        let previous = &self.status;
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
        let version = previous.version + 1;
        self.status = match outcome {
            Ok(Update::Pages { pages, files }) => {
                eprintln!(
                    "updated {} in {elapsed} ms ({files} files)",
                    pages.join(", ")
                );
                if self
                    .live
                    .as_ref()
                    .is_some_and(LiveSite::exports_elasticlunr)
                {
                    eprintln!(
                        "(the elasticlunr export is rewritten by full builds only: \
                         run `policykb build` for a current one)"
                    );
                }
                BuildStatus {
                    version,
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
                    version,
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
        };
        self.status.clone()
    }

    /// Finishes the last update on disk once the tabs have been told of it (see
    /// `LiveSite::save_manifest`); a failure is reported, and tried again after the next
    /// update or before the next full build.
    pub fn settle(&mut self) {
        let Some(live) = &mut self.live else { return };
        if let Err(failure) = live.save_manifest() {
            for problem in &failure.diagnostics {
                eprintln!("{problem}");
            }
        }
    }
}

/// Prints a failed build's problems to the terminal.
pub fn report(status: &BuildStatus) {
    for error in &status.errors {
        eprintln!("{error}");
    }
    if !status.errors.is_empty() {
        eprintln!("build failed; still serving the last good site; fix the files and save again");
    }
}
