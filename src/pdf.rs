//! `policykb pdf`: the course handouts and the whole-site print page as PDF files, printed
//! by the system's Chromium or Chrome in headless mode (`--print-to-pdf`), into the site
//! being built, next to the HTML they come from (`courses/x/handout.pdf`, `print.pdf`).
//!
//! Only this command needs a browser; `build` never does. The PDFs are made from the staged
//! site before it is swapped in, so they are in the manifest like every other file, and a
//! failure to print leaves the published site as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

/// Browsers tried, in order, when none is given.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "msedge",
];

/// How long one page may take to print.
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Error)]
pub enum PdfError {
    #[error("no Chromium or Chrome found (tried {}); install one, or pass --browser PATH", CANDIDATES.join(", "))]
    NoBrowser,
    #[error("the browser {0} does not exist or cannot be run")]
    BadBrowser(PathBuf),
    #[error("printing {page} failed: {reason}")]
    Print { page: String, reason: String },
}

/// The browser to print with: `chosen`, or the first of `CANDIDATES` on the PATH.
pub fn find_browser(chosen: Option<&Path>) -> Result<PathBuf, PdfError> {
    if let Some(path) = chosen {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(PdfError::BadBrowser(path.to_path_buf()))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in CANDIDATES {
        for folder in std::env::split_paths(&path) {
            let candidate = folder.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
            let exe = candidate.with_extension("exe");
            if exe.is_file() {
                return Ok(exe);
            }
        }
    }
    Err(PdfError::NoBrowser)
}

/// The PDF file next to an HTML file of the site: `courses/x/handout.html` → `….pdf`.
pub fn pdf_path(html: &str) -> String {
    format!("{}.pdf", html.trim_end_matches(".html"))
}

/// Prints `site/<page>` to `site/<page as .pdf>` with `browser`.
pub fn print(browser: &Path, site: &Path, page: &str) -> Result<(), PdfError> {
    let failed = |reason: String| PdfError::Print {
        page: page.to_string(),
        reason,
    };
    let profile = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
    let target = site.join(pdf_path(page));
    let url = file_url(&site.join(page));
    let mut command = Command::new(browser);
    command
        .arg("--headless")
        .args([
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", target.display()));
    if running_as_root() {
        // Chromium refuses to start as root with its sandbox.
        command.arg("--no-sandbox");
    }
    let mut child = command
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| failed(format!("cannot start {}: {e}", browser.display())))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() && target.is_file() => return Ok(()),
            Ok(Some(status)) => return Err(failed(format!("the browser exited with {status}"))),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                return Err(failed(format!("no PDF after {} s", TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(failed(e.to_string())),
        }
    }
}

fn file_url(path: &Path) -> String {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let text = absolute.to_string_lossy().replace('\\', "/");
    let encoded: String = percent_encoding::utf8_percent_encode(&text, URL_PATH).to_string();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Characters escaped in a file URL's path.
const URL_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'?')
    .add(b'<')
    .add(b'>');

#[cfg(unix)]
fn running_as_root() -> bool {
    std::env::var("USER").is_ok_and(|u| u == "root")
        || std::fs::metadata("/proc/self")
            .is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}
