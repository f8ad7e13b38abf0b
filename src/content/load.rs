//! Walking the content folder and reading its files.
//!
//! Every Markdown file is read as UTF-8 text; every other file in a kind folder is an asset,
//! read once here and copied next to the pages. Names must be usable everywhere the site is
//! copied to: valid UTF-8, no control characters. Symbolic links are not followed (a link
//! could pull in files from outside the knowledge base); each one skipped is a warning.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use walkdir::WalkDir;

use crate::config::{SiteConfig, CONFIG_FILE};
use crate::diagnostics::Diagnostic;

use super::Kind;

/// A Markdown file read from disk, with the kind its folder stands for.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub kind: Kind,
    /// Relative to the knowledge-base root, e.g. `content/problems/a.md`.
    pub file: PathBuf,
    /// Relative to `content/`, with `/` separators, e.g. `problems/a.md`.
    pub content_path: String,
    pub text: String,
}

/// A non-Markdown file inside a kind folder, copied next to the pages.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Relative to `content/`, `/`-separated: also its path in the output.
    pub content_path: String,
    pub bytes: Vec<u8>,
}

/// A Markdown file found in a kind folder, not read yet: the parse stage reads and parses
/// each in parallel and drops its text once parsed, so the whole corpus is never in memory
/// as text.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub kind: Kind,
    /// Relative to the knowledge-base root, e.g. `content/problems/a.md`.
    pub file: PathBuf,
    /// Relative to `content/`, with `/` separators, e.g. `problems/a.md`.
    pub content_path: String,
    /// Where to read it.
    pub path: PathBuf,
}

impl FoundFile {
    /// Reads the file as UTF-8 text; the error says why it cannot be read, at its place.
    pub fn read(&self) -> Result<SourceFile, Diagnostic> {
        match read_utf8(&self.path) {
            Ok(text) => Ok(SourceFile {
                kind: self.kind,
                file: self.file.clone(),
                content_path: self.content_path.clone(),
                text,
            }),
            Err(problem) => Err(problem.into_diagnostic(self.file.clone())),
        }
    }
}

/// What `load_sources` found.
#[derive(Debug, Default)]
pub struct LoadedContent {
    pub files: Vec<FoundFile>,
    pub assets: Vec<Asset>,
}

/// Finds all content under `root/content` (reading the assets; Markdown files are read by
/// the parse stage, see `FoundFile`), reporting every unreadable or misplaced file.
/// With `config_has_errors`, folders that match no kind are not reported (the error in the
/// configuration is the cause, and is reported already).
pub fn load_sources(
    root: &Path,
    config: &SiteConfig,
    config_has_errors: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> LoadedContent {
    let content_dir = root.join("content");
    let mut loaded = LoadedContent::default();
    let walker = WalkDir::new(&content_dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_hidden_or_backup(e.file_name().to_string_lossy().as_ref()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.clone());
                diagnostics.push(Diagnostic::error(
                    relative(root, &path),
                    format!("cannot read: {error}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let shown = relative(root, path);
        let Some(content_path) = content_path(path, &content_dir) else {
            diagnostics.push(bad_name(shown));
            continue;
        };
        if entry.path_is_symlink() {
            diagnostics.push(
                Diagnostic::warning(shown, "skipped: a symbolic link")
                    .with_hint("links are not followed (they could reach outside the knowledge base); copy the file or folder here instead"),
            );
            continue;
        }
        let top = content_path.split('/').next().unwrap_or_default();
        let kind = config
            .kinds
            .iter()
            .find(|k| k.folder == top)
            .and_then(|k| Kind::from_slug(&k.slug));
        if entry.depth() == 1 {
            if kind.is_none() && entry.file_type().is_dir() && config_has_errors {
                continue;
            }
            check_top_level(
                entry.file_type(),
                &content_path,
                kind,
                config,
                shown,
                diagnostics,
            );
            continue;
        }
        let Some(kind) = kind else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            match std::fs::read(path) {
                Ok(bytes) => loaded.assets.push(Asset {
                    content_path,
                    bytes,
                }),
                Err(error) => {
                    diagnostics.push(Diagnostic::error(shown, format!("cannot read: {error}")))
                }
            }
            continue;
        }
        loaded.files.push(FoundFile {
            kind,
            file: shown,
            content_path,
            path: path.to_path_buf(),
        });
    }
    loaded
}

/// Files directly in `content/` (only `site.yaml`) and folders (only kind folders).
fn check_top_level(
    file_type: std::fs::FileType,
    name: &str,
    kind: Option<Kind>,
    config: &SiteConfig,
    shown: PathBuf,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if file_type.is_dir() && kind.is_none() {
        let folders: Vec<&str> = config.kinds.iter().map(|k| k.folder.as_str()).collect();
        diagnostics.push(
            Diagnostic::error(shown, format!("unknown kind folder `{name}`"))
                .suggesting(name, folders.iter().copied())
                .with_hint_if_none(format!("each kind has one folder: {}", folders.join(", "))),
        );
    } else if file_type.is_file() && name != CONFIG_FILE {
        diagnostics.push(
            Diagnostic::error(shown, "file outside any kind folder")
                .with_hint("move it into one of the kind folders, e.g. content/pages/"),
        );
    }
}

/// The path under `content/` with `/` separators, or `None` if a name is not valid UTF-8
/// or holds a control character (a newline in a file name breaks every link to it).
fn content_path(path: &Path, content_dir: &Path) -> Option<String> {
    let inside = path.strip_prefix(content_dir).unwrap_or(path);
    let parts: Option<Vec<&str>> = inside
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect();
    let parts = parts?;
    if parts.iter().any(|p| p.chars().any(char::is_control)) {
        return None;
    }
    Some(parts.join("/"))
}

fn bad_name(shown: PathBuf) -> Diagnostic {
    Diagnostic::error(
        shown,
        "the file name is not valid UTF-8 or holds a control character (such as a newline)",
    )
    .with_hint(
        "rename the file: names become URLs and must work on every system the site is copied to",
    )
}

fn is_hidden_or_backup(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

enum ReadProblem {
    Io(std::io::Error),
    NotUtf8 { line: usize, column: usize },
    Utf16,
}

impl ReadProblem {
    fn into_diagnostic(self, file: PathBuf) -> Diagnostic {
        match self {
            ReadProblem::Io(error) => Diagnostic::error(file, format!("cannot read: {error}")),
            ReadProblem::NotUtf8 { line, column } => {
                Diagnostic::error(file, "file is not valid UTF-8")
                    .at(line, column)
                    .with_hint("save the file as UTF-8 (files in GBK/GB18030 must be converted, e.g. `iconv -f GB18030 -t UTF-8`)")
            }
            ReadProblem::Utf16 => Diagnostic::error(file, "file is UTF-16, not UTF-8")
                .at_line(1)
                .with_hint("save the file as UTF-8 (in Notepad: 另存为 → 编码 UTF-8; or `iconv -f UTF-16 -t UTF-8`)"),
        }
    }
}

fn read_utf8(path: &Path) -> Result<String, ReadProblem> {
    let bytes = std::fs::read(path).map_err(ReadProblem::Io)?;
    if looks_like_utf16(&bytes) {
        return Err(ReadProblem::Utf16);
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        // The valid prefix is UTF-8 by definition.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadProblem::NotUtf8 { line, column }
    })
}

/// A byte-order mark of UTF-16, or the NUL bytes that ASCII text in UTF-16 is full of.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 8 && head.iter().filter(|&&b| b == 0).count() * 4 >= head.len()
}

/// Path under `content/` → date (`2026-11-30`) of the last commit that touched the file, for
/// the `wanted` paths, when `root` is inside a git checkout and git is installed; empty
/// otherwise. One `git log` for the whole folder, newest first, read until every wanted
/// file has its date (a long history is not read to its start).
pub fn commit_dates(root: &Path, wanted: &HashSet<String>) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    let child = Command::new("git")
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--format=%x00%cs",
            "--name-only",
        ])
        .args(["--relative", "--", "content"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return dates };
    if let Some(stdout) = child.stdout.take() {
        let mut date = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(d) = line.strip_prefix('\0') {
                date = d.to_string();
            } else if let Some(path) = line.strip_prefix("content/") {
                if wanted.contains(path) && !dates.contains_key(path) {
                    dates.insert(path.to_string(), date.clone());
                    if dates.len() == wanted.len() {
                        break;
                    }
                }
            }
        }
    }
    // Done reading (or git failed: not a checkout); what it did say is true either way.
    let _ = child.kill();
    let _ = child.wait();
    dates
}
