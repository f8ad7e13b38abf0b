//! The manifest: what a build wrote, as `sha256sum` lines (`<hex>  <path>`), sorted by path.
//!
//! It lives in the output folder as `.policykb-output` and does two jobs. It is the proof of
//! ownership: the next build replaces the folder only if every file in it is listed (a user's
//! own file, or a folder deployed with `cp -a public/. www/` plus other files, is never
//! deleted). And it lets anyone check a copy: `policykb verify DIR`, or `sha256sum -c
//! .policykb-output` inside the folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::{Digest, Sha256};
use walkdir::WalkDir;

/// The manifest's file name inside the output folder.
pub const MANIFEST_FILE: &str = ".policykb-output";

/// Path (relative, `/`-separated) → SHA-256 of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    files: BTreeMap<String, [u8; 32]>,
}

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestProblem {
    /// The file exists but is not a list of `<sha256>  <path>` lines (e.g. the one-line
    /// marker of policykb 0.1, which did not record what it wrote).
    Unreadable { line: usize },
}

impl Manifest {
    pub fn record(&mut self, path: &str, contents: &[u8]) {
        self.insert(path, digest(contents));
    }

    /// Records `path` with its contents' `digest` (see `digest`), computed by the caller.
    pub fn insert(&mut self, path: &str, digest: [u8; 32]) {
        self.files.insert(path.to_string(), digest);
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The hex digest recorded for `path`.
    pub fn hash_of(&self, path: &str) -> Option<String> {
        self.files.get(path).map(hex)
    }

    /// The manifest as `sha256sum` prints it.
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(self.files.len() * 120);
        let mut line = [0u8; 64];
        for (path, digest) in &self.files {
            text.push_str(hex_into(&mut line, digest));
            text.push_str("  ");
            text.push_str(path);
            text.push('\n');
        }
        text
    }

    pub fn parse(text: &str) -> Result<Manifest, ManifestProblem> {
        let mut files = BTreeMap::new();
        for (number, line) in (1..).zip(text.lines()) {
            let unreadable = ManifestProblem::Unreadable { line: number };
            let (hash, path) = line.split_once("  ").ok_or(unreadable.clone())?;
            let digest = unhex(hash).ok_or(unreadable.clone())?;
            if path.is_empty() || path.starts_with('/') || path.split('/').any(|s| s == "..") {
                return Err(unreadable);
            }
            files.insert(path.to_string(), digest);
        }
        Ok(Manifest { files })
    }
}

pub fn digest(contents: &[u8]) -> [u8; 32] {
    Sha256::digest(contents).into()
}

pub fn hex(digest: &[u8; 32]) -> String {
    hex_into(&mut [0u8; 64], digest).to_string()
}

/// `digest` in lowercase hexadecimal, written into `out` (a manifest of 100,000 files is
/// written after every edit `serve` makes: no formatting machinery, no allocation per file).
fn hex_into<'a>(out: &'a mut [u8; 64], digest: &[u8; 32]) -> &'a str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, &byte) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    std::str::from_utf8(out).expect("hexadecimal digits are ASCII")
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(digest)
}

/// What is in a folder besides what `manifest` lists: files, links and folders that hold no
/// listed file, as `/`-separated relative paths, sorted. Symlinks are never followed.
pub fn unlisted_entries(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let listed_folders: BTreeSet<&str> = manifest
        .paths()
        .flat_map(|path| path.match_indices('/').map(move |(at, _)| &path[..at]))
        .collect();
    let mut unlisted = Vec::new();
    let mut walker = WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        let relative = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_dir() {
            if !listed_folders.contains(relative.as_str()) {
                unlisted.push(format!("{relative}/"));
                walker.skip_current_dir();
            }
        } else if relative != MANIFEST_FILE && !manifest.contains(&relative) {
            unlisted.push(relative);
        }
    }
    unlisted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_what_sha256sum_prints_and_reads_back() {
        let mut manifest = Manifest::default();
        manifest.record("index.html", b"abc");
        manifest.record("a/b.html", b"");
        let text = manifest.to_text();
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/b.html\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  index.html\n"
        );
        assert_eq!(Manifest::parse(&text), Ok(manifest));
    }

    #[test]
    fn the_old_one_line_marker_is_not_a_manifest() {
        let old = "This folder was generated by policykb and is replaced on every build.\n";
        assert_eq!(
            Manifest::parse(old),
            Err(ManifestProblem::Unreadable { line: 1 })
        );
    }
}
