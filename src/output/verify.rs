//! `policykb verify DIR`: checks a deployed or copied site against the manifest its build
//! wrote (`.policykb-output`): every listed file present with the same SHA-256, and which
//! files are there that the build did not write. It needs nothing but the folder, so it
//! works on a server, after `rsync`, or on a USB stick.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::manifest::{self, unlisted_entries, Manifest, ManifestProblem, MANIFEST_FILE};

/// What a check of a folder found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// Files the manifest lists.
    pub listed: usize,
    /// Listed files that are not there.
    pub missing: Vec<String>,
    /// Listed files whose contents differ (or that are not regular files any more).
    pub changed: Vec<String>,
    /// Files and folders there that the build did not write.
    pub unlisted: Vec<String>,
}

impl Verification {
    /// Whether every file of the build is there, unchanged.
    pub fn is_intact(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}

/// Why a folder could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{} has no {MANIFEST_FILE}: it is not a site built by policykb (or the manifest was not copied)", dir.display())]
    NoManifest { dir: PathBuf },
    #[error("{}:{line}: not a manifest line (`<sha256>  <path>`)", file.display())]
    Unreadable { file: PathBuf, line: usize },
}

/// Checks `dir` against its manifest.
pub fn verify(dir: &Path) -> Result<Verification, VerifyError> {
    let file = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&file).map_err(|_| VerifyError::NoManifest {
        dir: dir.to_path_buf(),
    })?;
    let manifest = Manifest::parse(&text).map_err(|ManifestProblem::Unreadable { line }| {
        VerifyError::Unreadable {
            file: file.clone(),
            line,
        }
    })?;
    let paths: Vec<&str> = manifest.paths().collect();
    let states: Vec<(&str, State)> = paths
        .par_iter()
        .map(|&path| (path, state_of(dir, &manifest, path)))
        .collect();
    let mut found = Verification {
        listed: paths.len(),
        unlisted: unlisted_entries(dir, &manifest),
        ..Verification::default()
    };
    for (path, state) in states {
        match state {
            State::Same => {}
            State::Missing => found.missing.push(path.to_string()),
            State::Changed => found.changed.push(path.to_string()),
        }
    }
    Ok(found)
}

enum State {
    Same,
    Missing,
    Changed,
}

fn state_of(dir: &Path, manifest: &Manifest, path: &str) -> State {
    let file = dir.join(path);
    match fs::symlink_metadata(&file) {
        Err(_) => State::Missing,
        Ok(meta) if !meta.file_type().is_file() => State::Changed,
        Ok(_) => match fs::read(&file) {
            Ok(bytes)
                if manifest.hash_of(path) == Some(manifest::hex(&manifest::digest(&bytes))) =>
            {
                State::Same
            }
            _ => State::Changed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_with_a_changed_a_missing_and_an_added_file_is_reported_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        for (path, text) in [
            ("index.html", "首页"),
            ("a/b.html", "乙"),
            ("a/c.html", "丙"),
        ] {
            fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
            fs::write(dir.path().join(path), text).unwrap();
            manifest.record(path, text.as_bytes());
        }
        fs::write(dir.path().join(MANIFEST_FILE), manifest.to_text()).unwrap();
        let intact = verify(dir.path()).unwrap();
        assert!(
            intact.is_intact() && intact.unlisted.is_empty(),
            "{intact:?}"
        );
        assert_eq!(intact.listed, 3);

        fs::write(dir.path().join("a/b.html"), "改过").unwrap();
        fs::remove_file(dir.path().join("a/c.html")).unwrap();
        fs::write(dir.path().join("extra.txt"), "x").unwrap();
        let found = verify(dir.path()).unwrap();
        assert!(!found.is_intact());
        assert_eq!(found.changed, ["a/b.html"]);
        assert_eq!(found.missing, ["a/c.html"]);
        assert_eq!(found.unlisted, ["extra.txt"]);
    }

    #[test]
    fn a_folder_without_a_manifest_is_not_a_site() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            verify(dir.path()),
            Err(VerifyError::NoManifest { .. })
        ));
    }
}
