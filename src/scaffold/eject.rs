//! `policykb theme eject [NAME…]`: copies the built-in theme (or some of its files) into
//! the knowledge base for customising. A knowledge base without copies follows the look
//! of every new policykb; an ejected file is the author's own from then on.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::closest_match;
use crate::theme::Theme;

/// Why nothing was ejected; `hint` says what to do.
#[derive(Debug, thiserror::Error)]
pub enum EjectError {
    #[error("the built-in theme has no file `{given}`")]
    Unknown {
        given: String,
        suggestion: Option<String>,
    },
    #[error("already in the knowledge base, not overwritten: {}", list(.paths))]
    Exists { paths: Vec<PathBuf> },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl EjectError {
    pub fn hint(&self) -> Option<String> {
        match self {
            EjectError::Unknown { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            EjectError::Unknown { .. } => Some(format!("the files: {}", ejectable().into_iter().map(|(name, _, _)| name).collect::<Vec<_>>().join(", "))),
            EjectError::Exists { .. } => Some("to take the current version, move your copy away, eject again and carry your changes over".into()),
            EjectError::Io { .. } => None,
        }
    }
}

/// Every file of the built-in theme as (name to ask for, where it goes in the knowledge
/// base, contents): templates to `templates/`, static files to `static/`, the UI strings
/// to `templates/strings.yaml`.
fn ejectable() -> Vec<(String, PathBuf, &'static [u8])> {
    Theme::default_files()
        .into_iter()
        .filter_map(|(path, bytes)| {
            let (name, target) = if let Some(name) = path.strip_prefix("templates/") {
                (name.to_string(), Path::new("templates").join(name))
            } else if let Some(name) = path.strip_prefix("static/") {
                (name.to_string(), Path::new("static").join(name))
            } else if path == "strings.yaml" {
                (path.clone(), Path::new("templates").join("strings.yaml"))
            } else {
                return None;
            };
            Some((name, target, bytes))
        })
        .collect()
}

/// Copies the named files (all of them when `names` is empty) into `root`, and returns
/// the paths written. Writes nothing if any name is unknown or any target exists.
pub fn eject(root: &Path, names: &[String]) -> Result<Vec<PathBuf>, EjectError> {
    let files = ejectable();
    let mut chosen = Vec::new();
    for name in names {
        let wanted = name
            .trim_start_matches("templates/")
            .trim_start_matches("static/");
        match files.iter().find(|(n, _, _)| n == wanted) {
            Some(file) => chosen.push(file),
            None => {
                return Err(EjectError::Unknown {
                    given: name.clone(),
                    suggestion: closest_match(wanted, files.iter().map(|(n, _, _)| n.as_str()))
                        .map(str::to_string),
                })
            }
        }
    }
    if names.is_empty() {
        chosen = files.iter().collect();
    }
    let taken: Vec<PathBuf> = chosen
        .iter()
        .map(|(_, target, _)| target.clone())
        .filter(|target| root.join(target).exists())
        .collect();
    if !taken.is_empty() {
        return Err(EjectError::Exists { paths: taken });
    }
    let mut written = Vec::new();
    for (_, target, bytes) in chosen {
        let path = root.join(target);
        let io_error = |source| EjectError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| io::Write::write_all(&mut file, bytes))
            .map_err(io_error)?;
        written.push(target.clone());
    }
    Ok(written)
}
