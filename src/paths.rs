//! Output paths and who claims them: no two sources may produce one file of the site.
//!
//! Pages, kind indexes, level and tag pages and the assets copied next to pages all become
//! files of the output. Two of them on one path (a stray `x.html` beside `x.md`, an asset
//! named `index.html`) would silently replace one with the other, so that is an error naming
//! both. So are two paths that differ only by letter case or Unicode normalisation (`A.md`
//! and `a.md`, NFC and NFD, a CJK compatibility ideograph and its unified form): they are
//! two files on Linux, but one on Windows/IIS, macOS and the FAT/exFAT USB sticks the site
//! is copied to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::diagnostics::Diagnostic;

/// Something that will be written to `path` of the output, and the file it comes from.
pub struct Claim {
    pub path: String,
    pub source: PathBuf,
    /// "the page", "the asset", "the index of 问题类别" …: how the message names it.
    pub what: String,
}

/// An error for every path claimed twice, exactly or up to case and normalisation.
pub fn check_claims(claims: &[Claim]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, &Claim> = HashMap::new();
    for claim in claims {
        let Some(first) = seen.insert(folded(&claim.path), claim) else {
            continue;
        };
        let message = if first.path == claim.path {
            format!(
                "{} `{}` would overwrite {} from {} (both are written to {})",
                claim.what,
                claim.source.display(),
                first.what,
                first.source.display(),
                claim.path
            )
        } else {
            format!(
                "`{}` and `{}` differ only by letter case or Unicode form; on Windows, macOS and USB sticks they are one file ({} and {})",
                claim.path,
                first.path,
                claim.source.display(),
                first.source.display()
            )
        };
        problems.push(
            Diagnostic::error(&claim.source, message)
                .with_hint("rename one of them (or give the page a `slug:`)"),
        );
    }
    problems
}

/// The form in which two names are the same file on case-insensitive, normalising systems.
fn folded(path: &str) -> String {
    path.nfc().flat_map(char::to_lowercase).collect()
}

/// A claim on `path` by the file `source`.
pub fn claim(path: String, source: &Path, what: impl Into<String>) -> Claim {
    Claim {
        path,
        source: source.to_path_buf(),
        what: what.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(paths: &[(&str, &str)]) -> Vec<Claim> {
        paths
            .iter()
            .map(|(path, source)| claim(path.to_string(), Path::new(source), "the page"))
            .collect()
    }

    #[test]
    fn the_same_path_twice_names_both_sources() {
        let problems = check_claims(&claims(&[
            ("problems/x.html", "content/problems/x.md"),
            ("problems/x.html", "content/problems/x.html"),
        ]));
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "the page `content/problems/x.html` would overwrite the page from content/problems/x.md (both are written to problems/x.html)"
        );
    }

    #[test]
    fn case_nfd_and_compatibility_ideographs_collide() {
        for (a, b) in [
            ("p/Example.html", "p/example.html"),
            ("p/caf\u{e9}.html", "p/cafe\u{301}.html"),
            ("p/\u{8c48}.html", "p/\u{f900}.html"),
        ] {
            let problems = check_claims(&claims(&[(a, "1.md"), (b, "2.md")]));
            assert_eq!(problems.len(), 1, "{a} / {b}");
            assert!(problems[0].message.contains("letter case or Unicode form"));
        }
    }

    #[test]
    fn different_names_do_not_collide() {
        assert!(check_claims(&claims(&[("p/a.html", "a.md"), ("p/b.html", "b.md")])).is_empty());
    }
}
