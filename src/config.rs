//! The site configuration: `content/site.yaml` of a knowledge base.
//!
//! It names the site, the theme, the ordered levels (层面) that group problem categories,
//! the kinds of page with their folders, and the tag vocabulary. Everything the generator
//! checks references against starts here.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::yaml;

/// The file name of the configuration, inside the content folder.
pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Documented sub-path the site is served under; links stay relative regardless.
    #[serde(default)]
    pub base_path: String,
    pub levels: Vec<Level>,
    pub kinds: Vec<KindConfig>,
    #[serde(default)]
    pub tags: Vec<TagConfig>,
}

/// A level (层面): one row of the map of problem categories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// How a kind of page is named and where its files live.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindConfig {
    pub slug: String,
    pub folder: String,
    pub name: String,
}

/// One tag of the vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

fn default_language() -> String {
    "zh-CN".to_string()
}

fn default_theme() -> String {
    "default".to_string()
}

/// Names at the top of the output that kinds may not use as folders, because the generator
/// writes them itself.
pub const RESERVED_FOLDERS: &[&str] = &[
    "levels",
    "tags",
    "static",
    "search",
    "index.html",
    "search.html",
    "404.html",
    "print.html",
    crate::output::MANIFEST_FILE,
];

impl SiteConfig {
    /// Parses the configuration text; `file` is only used to name it in diagnostics.
    pub fn parse(text: &str, file: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = yaml::parse_at(text, 1).map_err(|e| {
            let mut d =
                Diagnostic::error(file, format!("invalid site configuration: {}", e.message));
            if let Some(line) = e.line {
                d = d.at(line, e.column.unwrap_or(1));
            }
            vec![d]
        })?;
        let problems = config.validate(text, file);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut report = |slug: &str, message: String| {
            let d = Diagnostic::error(file, message);
            problems.push(match line_mentioning(text, slug) {
                Some(line) => d.at_line(line),
                None => d,
            });
        };
        for (what, slugs) in [
            (
                "level",
                self.levels
                    .iter()
                    .map(|l| l.slug.as_str())
                    .collect::<Vec<_>>(),
            ),
            ("kind", self.kinds.iter().map(|k| k.slug.as_str()).collect()),
            ("tag", self.tags.iter().map(|t| t.slug.as_str()).collect()),
        ] {
            let mut seen = BTreeSet::new();
            for slug in slugs {
                if !is_valid_slug(slug) {
                    report(slug, format!("{what} slug `{slug}` may not be empty or contain `/`, `\\`, `.` at the start, or spaces"));
                } else if what == "tag" && slug == "index" {
                    report(
                        slug,
                        "tag `index` would overwrite the page of all tags (tags/index.html)"
                            .to_string(),
                    );
                } else if !seen.insert(slug) {
                    report(slug, format!("{what} `{slug}` is declared twice"));
                }
            }
        }
        let mut folders: std::collections::BTreeMap<&str, &str> = Default::default();
        for kind in &self.kinds {
            if let Some(other) = folders.insert(&kind.folder, &kind.slug) {
                let d = Diagnostic::error(
                    file,
                    format!(
                        "kinds `{other}` and `{}` both use the folder `{}`",
                        kind.slug, kind.folder
                    ),
                )
                .with_hint("give each kind a folder of its own");
                problems.push(match line_mentioning(text, &kind.folder) {
                    Some(line) => d.at_line(line),
                    None => d,
                });
            }
            if crate::content::Kind::from_slug(&kind.slug).is_none() {
                let known = crate::content::Kind::ALL.iter().map(|k| k.slug());
                let d = Diagnostic::error(file, format!("unknown kind `{}`", kind.slug))
                    .suggesting(&kind.slug, known);
                problems.push(match line_mentioning(text, &kind.slug) {
                    Some(line) => d.at_line(line),
                    None => d,
                });
            }
            if RESERVED_FOLDERS.contains(&kind.folder.as_str())
                || !is_valid_slug(&kind.folder)
                || kind.folder.ends_with(".html")
            {
                let d = Diagnostic::error(
                    file,
                    format!(
                        "kind folder `{}` is reserved or not a plain folder name",
                        kind.folder
                    ),
                )
                .with_hint(format!(
                    "the generator writes {} itself",
                    RESERVED_FOLDERS.join(", ")
                ));
                problems.push(match line_mentioning(text, &kind.folder) {
                    Some(line) => d.at_line(line),
                    None => d,
                });
            }
        }
        problems
    }

    pub fn level(&self, slug: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.slug == slug)
    }

    pub fn tag(&self, slug: &str) -> Option<&TagConfig> {
        self.tags.iter().find(|t| t.slug == slug)
    }

    pub fn kind_config(&self, kind: crate::content::Kind) -> Option<&KindConfig> {
        self.kinds.iter().find(|k| k.slug == kind.slug())
    }
}

/// A slug is used as a file name: no separators, no hidden files, no blanks.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && !slug.contains([
            '/', '\\', ' ', '\t', '?', '#', '%', ':', '"', '<', '>', '|', '*',
        ])
}

/// The 1-based line of the first line in `text` that contains `needle` as a YAML value or key.
pub fn line_mentioning(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}
