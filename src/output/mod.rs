//! Writing the finished site: all or nothing, one build at a time, and never deleting what
//! policykb did not write.
//!
//! A build of `public/` works like this:
//! 1. `check_output_folder`: the folder is not the knowledge base, nor inside one of its
//!    input folders (`content/`, `templates/`, `static/`, `themes/`).
//! 2. `Staging::begin`: lock `public/` against other builds (waiting for them), repair what a
//!    killed build left (`lock`), refuse if `public/` holds anything the previous build's
//!    manifest does not list (`manifest`), and create a staging folder with a random name
//!    next to it (exclusively, so no two builds ever share one).
//! 3. `Staging::write`: every file goes into the staging folder and into the new manifest.
//! 4. `Staging::commit`: write the manifest, swap the staging folder in for `public/`
//!    (`swap`), delete the old site. Dropped without `commit` (a failed build), the staging
//!    folder is deleted and `public/` is left exactly as it was.

pub mod compress;
mod lock;
pub mod manifest;
mod swap;
pub mod verify;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use thiserror::Error;

use lock::{OutputLock, Role};
pub use manifest::{Manifest, MANIFEST_FILE};

/// The knowledge base's input folders: the output may not be inside any of them (it would
/// be read back as input, or copy itself into itself on every build).
pub const INPUT_FOLDERS: &[&str] = &["content", "templates", "static", "themes"];

/// How many foreign files a refusal lists by name.
const LISTED_FOREIGN_FILES: usize = 20;

#[derive(Debug, Error)]
pub enum OutputError {
    #[error("refusing to write the site into {path}: {reason}")]
    Refused { path: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// `map_err` helper: an I/O error on `path`.
pub(crate) fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn refused(path: &Path, reason: impl Into<String>) -> OutputError {
    OutputError::Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Checks that `output` may hold a site of the knowledge base at `root`, without touching
/// anything: it is not the root, does not contain it, and is not inside an input folder.
pub fn check_output_folder(root: &Path, output: &Path) -> Result<(), OutputError> {
    let output_abs = absolute(output);
    let root_abs = absolute(root);
    if output_abs == root_abs || root_abs.starts_with(&output_abs) {
        return Err(refused(
            output,
            "it is (or contains) the knowledge-base root; choose a folder such as public/",
        ));
    }
    if let Some(input) = INPUT_FOLDERS
        .iter()
        .find(|folder| output_abs.starts_with(root_abs.join(folder)))
    {
        return Err(refused(
            output,
            format!("it is inside the input folder {input}/ (it would be read back as input); choose a folder such as public/"),
        ));
    }
    if output_abs.parent().is_none() {
        return Err(refused(output, "it is a filesystem root"));
    }
    if output_abs.exists() && !output_abs.is_dir() {
        return Err(refused(output, "it exists and is not a folder"));
    }
    Ok(())
}

/// A site being written into a staging folder, which replaces the output folder on `commit`.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    manifest: Mutex<Manifest>,
    /// The folders made so far (relative to `dir`): thousands of pages share a few
    /// folders, and asking the file system again costs two system calls per file.
    folders: Mutex<rustc_hash::FxHashSet<String>>,
    lock: OutputLock,
    committed: bool,
}

impl Staging {
    /// Locks the output folder (calling `waiting` if another build holds it), checks that
    /// everything in it was written by policykb, and creates an empty staging folder.
    pub fn begin(root: &Path, output: &Path, waiting: &dyn Fn()) -> Result<Staging, OutputError> {
        check_output_folder(root, output)?;
        let output = absolute(output);
        let parent = output.parent().unwrap_or(&output).to_path_buf();
        fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let lock = OutputLock::acquire(&output, waiting)?;
        check_ownership(&output)?;
        let name = output.file_name().unwrap_or_default().to_string_lossy();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.policykb-new-"))
            .tempdir_in(&parent)
            .map_err(io_error(&parent))?
            .keep();
        lock.journal().record(&[(Role::Staging, &dir)])?;
        Ok(Staging {
            output,
            dir,
            manifest: Mutex::new(Manifest::default()),
            folders: Mutex::default(),
            lock,
            committed: false,
        })
    }

    /// Writes one file (path relative to the site, `/`-separated); safe to call from many threads.
    pub fn write(&self, path: &str, contents: &[u8]) -> Result<(), OutputError> {
        let target = self.dir.join(path);
        if let Some((folder, _)) = path.rsplit_once('/') {
            self.make_folder(folder)?;
        }
        fs::write(&target, contents).map_err(io_error(&target))?;
        // Hashed before taking the lock, so that writer threads do not take turns at it.
        let digest = manifest::digest(contents);
        if let Ok(mut manifest) = self.manifest.lock() {
            manifest.insert(path, digest);
        }
        Ok(())
    }

    /// Makes `folder` (relative, `/`-separated) in the staging folder, once.
    fn make_folder(&self, folder: &str) -> Result<(), OutputError> {
        let made = |folders: &rustc_hash::FxHashSet<String>| folders.contains(folder);
        if self.folders.lock().is_ok_and(|f| made(&f)) {
            return Ok(());
        }
        let target = self.dir.join(folder);
        fs::create_dir_all(&target).map_err(io_error(&target))?;
        if let Ok(mut folders) = self.folders.lock() {
            folders.insert(folder.to_string());
        }
        Ok(())
    }

    /// The staging folder, for tools that write into it (`policykb pdf`); record what they
    /// write with `add_written`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds a file written into the staging folder by someone else to the manifest.
    pub fn add_written(&self, path: &str) -> Result<(), OutputError> {
        let target = self.dir.join(path);
        let bytes = fs::read(&target).map_err(io_error(&target))?;
        if let Ok(mut manifest) = self.manifest.lock() {
            manifest.record(path, &bytes);
        }
        Ok(())
    }

    /// Writes the manifest, swaps the staged site in and deletes the old one. Returns the
    /// manifest of what was written.
    pub fn commit(mut self) -> Result<Manifest, OutputError> {
        let manifest = std::mem::take(
            &mut *self
                .manifest
                .lock()
                .map_err(|_| refused(&self.output, "a writer thread panicked"))?,
        );
        let path = self.dir.join(MANIFEST_FILE);
        fs::write(&path, manifest.to_text()).map_err(io_error(&path))?;
        swap::swap_in(&self.dir, &self.output, self.lock.journal())?;
        self.committed = true;
        if self.dir.exists() {
            remove_tree(&self.dir)?;
        }
        self.lock.journal().clear()?;
        Ok(manifest)
    }
}

/// Deletes the folder `dir` (the old site, once swapped out) with its top-level entries in
/// parallel: at 100,000 pages it holds 140,000 files in a few large folders, and one thread
/// deleting them took 1.3 s.
fn remove_tree(dir: &Path) -> Result<(), OutputError> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io_error(dir))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io_error(dir))?;
    entries.par_iter().try_for_each(|path| {
        // `symlink_metadata`: a link is removed itself, never followed.
        let is_folder = fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
        let removed = if is_folder {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        removed.map_err(io_error(path))
    })?;
    fs::remove_dir(dir).map_err(io_error(dir))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && fs::remove_dir_all(&self.dir).is_ok() {
            let _ = self.lock.journal().clear();
        }
    }
}

/// Refuses an output folder holding anything the previous build's manifest does not list.
fn check_ownership(output: &Path) -> Result<(), OutputError> {
    if !output.exists() {
        return Ok(());
    }
    let is_empty = fs::read_dir(output)
        .map_err(io_error(output))?
        .next()
        .is_none();
    if is_empty {
        return Ok(());
    }
    let manifest_path = output.join(MANIFEST_FILE);
    let manifest = match fs::read_to_string(&manifest_path) {
        Ok(text) => Manifest::parse(&text).map_err(|_| {
            refused(output, format!("its {MANIFEST_FILE} does not list the files policykb wrote (it was made by an older version, or edited); check that nothing in it is yours, delete the folder, and build again"))
        })?,
        Err(_) => Manifest::default(),
    };
    let foreign = manifest::unlisted_entries(output, &manifest);
    if foreign.is_empty() {
        return Ok(());
    }
    let mut listed: Vec<&str> = foreign
        .iter()
        .take(LISTED_FOREIGN_FILES)
        .map(String::as_str)
        .collect();
    if foreign.len() > LISTED_FOREIGN_FILES {
        listed.push("…");
    }
    let what = if manifest.is_empty() {
        "it is not empty and policykb did not write it"
    } else {
        "it holds files the last build did not write"
    };
    Err(refused(
        output,
        format!(
            "{what} ({} in all: {}); move them elsewhere, or choose another folder",
            foreign.len(),
            listed.join(", ")
        ),
    ))
}

/// An absolute, normalised path that does not need to exist yet.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    if let Ok(canonical) = path.canonicalize() {
        return canonical;
    }
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    match (joined.parent(), joined.file_name()) {
        (Some(parent), Some(name)) if parent != joined => absolute(parent).join(name),
        _ => joined,
    }
}

#[cfg(test)]
mod tests;
