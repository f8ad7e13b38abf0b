//! Walking the content folder and reading its files as UTF-8 text.

use std::path::{Path, PathBuf};

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

/// Every Markdown file under the kind folders, plus every other file (assets) to copy.
#[derive(Debug, Default)]
pub struct LoadedContent {
    pub files: Vec<SourceFile>,
    /// Non-Markdown files inside kind folders, copied next to the pages: (absolute, content path).
    pub assets: Vec<(PathBuf, String)>,
}

/// Reads all content under `root/content`, reporting every unreadable or misplaced file.
pub fn load_sources(
    root: &Path,
    config: &SiteConfig,
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
        let inside = path.strip_prefix(&content_dir).unwrap_or(path);
        let content_path = inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let top = content_path.split('/').next().unwrap_or_default();
        let kind = config
            .kinds
            .iter()
            .find(|k| k.folder == top)
            .and_then(|k| Kind::from_slug(&k.slug));

        if entry.depth() == 1 {
            if entry.file_type().is_dir() && kind.is_none() {
                let folders = config.kinds.iter().map(|k| k.folder.as_str());
                diagnostics.push(
                    Diagnostic::error(relative(root, path), format!("unknown kind folder `{top}`"))
                        .suggesting(top, folders)
                        .with_hint_if_none(format!(
                            "each kind has one folder: {}",
                            config
                                .kinds
                                .iter()
                                .map(|k| k.folder.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
            } else if entry.file_type().is_file() && content_path != CONFIG_FILE {
                diagnostics.push(
                    Diagnostic::error(relative(root, path), "file outside any kind folder")
                        .with_hint("move it into one of the kind folders, e.g. content/pages/"),
                );
            }
            continue;
        }
        let Some(kind) = kind else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            loaded.assets.push((path.to_path_buf(), content_path));
            continue;
        }
        match read_utf8(path) {
            Ok(text) => loaded.files.push(SourceFile {
                kind,
                file: relative(root, path),
                content_path,
                text,
            }),
            Err(problem) => diagnostics.push(problem.into_diagnostic(relative(root, path))),
        }
    }
    loaded
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
        }
    }
}

fn read_utf8(path: &Path) -> Result<String, ReadProblem> {
    let bytes = std::fs::read(path).map_err(ReadProblem::Io)?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        // The valid prefix is UTF-8 by definition.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadProblem::NotUtf8 { line, column }
    })
}
