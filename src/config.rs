//! The site configuration: `content/site.yaml` of a knowledge base.
//!
//! It names the site, the theme, the ordered levels (层面) that group problem categories,
//! the kinds of page with their folders, and the tag vocabulary. Everything the generator
//! checks references against starts here. It is read entry by entry, so that every problem
//! in it is reported at once (with its exact line), and the pages are still checked
//! against what could be read.

use std::collections::BTreeSet;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml::Value;

use crate::content::Kind;
use crate::diagnostics::Diagnostic;
use crate::yaml::{self, Position, Positions};

/// The file name of the configuration, inside the content folder.
pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    pub language: String,
    pub theme: String,
    /// Documented sub-path the site is served under; links stay relative regardless.
    pub base_path: String,
    pub levels: Vec<Level>,
    pub kinds: Vec<KindConfig>,
    pub tags: Vec<TagConfig>,
    /// Groups of words a search treats as the same (`synonyms:`).
    pub synonyms: Vec<SynonymGroup>,
    /// Minutes in one 学时 (class period), for checking a course's time plan.
    pub period_minutes: u32,
    /// Write `print.html` (every page in one document); default: for sites of up to 2,000 pages.
    pub print_page: Option<bool>,
    /// Link glossary terms at their first mention in a page's text (default: yes).
    pub autolink: bool,
    /// Write a gzipped copy beside every text file of 1 KB or more (`x.html.gz`), for
    /// servers that send precompressed files (nginx `gzip_static on;`). Default: no.
    pub compress: bool,
    /// Terms never linked automatically.
    pub autolink_exclude: Vec<String>,
    /// Options of the search (`search:`).
    pub search: SearchConfig,
}

/// `search:` in site.yaml.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchConfig {
    /// Also write an elasticlunr.js-compatible index (`search/elasticlunr-index.json` and `.js`),
    /// for portals and themes that read one. Default: no.
    pub elasticlunr: bool,
}

/// Words that mean the same thing to a reader, e.g. 上热中温下冷 and 压力传导层层递减. An
/// entry `@/folder/file.md` stands for that page's title and aliases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SynonymGroup {
    pub terms: Vec<(String, Position)>,
    pub at: Position,
}

/// A level (层面): one row of the map of problem categories.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// How a kind of page is named and where its files live.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KindConfig {
    pub slug: String,
    pub folder: String,
    pub name: String,
}

/// One tag of the vocabulary.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Top-level keys of `site.yaml`.
const KEYS: &[&str] = &[
    "title",
    "description",
    "language",
    "theme",
    "base_path",
    "levels",
    "kinds",
    "tags",
    "synonyms",
    "period_minutes",
    "print_page",
    "autolink",
    "compress",
    "autolink_exclude",
    "search",
];

/// The keys under `search:`.
const SEARCH_KEYS: &[&str] = &["elasticlunr"];

/// A configuration as far as it could be read, and every problem in it.
pub struct ParsedConfig {
    /// `None` when the file is unusable as a whole (not YAML, or no `kinds`).
    pub config: Option<SiteConfig>,
    pub problems: Vec<Diagnostic>,
}

impl SiteConfig {
    /// Parses the configuration text; `file` names it in diagnostics.
    pub fn parse(text: &str, file: &Path) -> ParsedConfig {
        let document = match yaml::parse(text, 1) {
            Ok(document) => document,
            Err(e) => {
                let mut d =
                    Diagnostic::error(file, format!("invalid site configuration: {}", e.message));
                if let Some(line) = e.line {
                    d = d.at(line, e.column.unwrap_or(1));
                }
                if let Some(hint) = e.hint {
                    d = d.with_hint(hint);
                }
                return ParsedConfig {
                    config: None,
                    problems: vec![d],
                };
            }
        };
        let mut reader = Reader {
            file,
            positions: &document.positions,
            problems: Vec::new(),
        };
        let Value::Mapping(mapping) = document.value else {
            reader.error(
                "",
                "the configuration must be `key: value` lines".into(),
                None,
            );
            return reader.finish(None);
        };
        let mut config = SiteConfig {
            language: "zh-CN".into(),
            theme: "default".into(),
            period_minutes: 45,
            autolink: true,
            ..SiteConfig::default()
        };
        let mut has_kinds = false;
        for (key, value) in mapping {
            let Value::String(key) = key else { continue };
            match key.as_str() {
                "title" => config.title = reader.text(&key, value),
                "description" => config.description = reader.text(&key, value),
                "language" => config.language = reader.text(&key, value),
                "theme" => config.theme = reader.text(&key, value),
                "base_path" => config.base_path = reader.text(&key, value),
                "levels" => {
                    config.levels = reader.entries(&key, value, |slug| Level {
                        slug: slug.to_string(),
                        name: slug.to_string(),
                        description: String::new(),
                    })
                }
                "kinds" => {
                    has_kinds = true;
                    config.kinds = reader.entries(&key, value, |_| None);
                }
                "tags" => {
                    config.tags = reader.entries(&key, value, |slug| TagConfig {
                        slug: slug.to_string(),
                        name: slug.to_string(),
                        description: String::new(),
                    })
                }
                "synonyms" => config.synonyms = reader.synonyms(value),
                "autolink" => {
                    if let Some(on) = reader.switch("autolink", &value) {
                        config.autolink = on;
                    }
                }
                "autolink_exclude" => match serde_yaml::from_value::<Vec<String>>(value) {
                    Ok(terms) => config.autolink_exclude = terms,
                    Err(_) => reader.error(
                        "autolink_exclude",
                        "`autolink_exclude` must be a list of terms".into(),
                        Some("e.g. `autolink_exclude: [问责, 监督]`".into()),
                    ),
                },
                "compress" => {
                    if let Some(on) = reader.switch("compress", &value) {
                        config.compress = on;
                    }
                }
                "print_page" => {
                    if let Some(on) = reader.switch("print_page", &value) {
                        config.print_page = Some(on);
                    }
                }
                "period_minutes" => match value.as_u64() {
                    Some(minutes @ 1..=240) => config.period_minutes = minutes as u32,
                    _ => reader.error(
                        "period_minutes",
                        "`period_minutes` must be the minutes of one 学时, e.g. 45".into(),
                        None,
                    ),
                },
                "search" => config.search = reader.search(value),
                other => {
                    let d = reader
                        .diagnostic(&format!("key:{other}"), format!("unknown key `{other}`"))
                        .suggesting(other, KEYS.iter().copied());
                    reader.problems.push(d);
                }
            }
        }
        for (key, present) in [
            ("title", !config.title.trim().is_empty()),
            ("kinds", has_kinds),
        ] {
            if !present {
                reader.error(
                    "",
                    format!("missing `{key}`"),
                    Some(format!("add `{key}: …` to {CONFIG_FILE}")),
                );
            }
        }
        config.validate(&mut reader);
        if !is_valid_slug(&config.theme) {
            // Reported by `validate`; the built-in theme lets the pages be checked still.
            config.theme = "default".into();
        }
        let usable = has_kinds.then_some(config);
        reader.finish(usable)
    }

    fn validate(&self, reader: &mut Reader) {
        let groups: [(&str, Vec<&str>); 3] = [
            (
                "levels",
                self.levels.iter().map(|l| l.slug.as_str()).collect(),
            ),
            (
                "kinds",
                self.kinds.iter().map(|k| k.slug.as_str()).collect(),
            ),
            ("tags", self.tags.iter().map(|t| t.slug.as_str()).collect()),
        ];
        for (group, slugs) in groups {
            let what = group.trim_end_matches('s');
            let mut seen = BTreeSet::new();
            for (i, slug) in slugs.iter().enumerate() {
                let path = format!("{group}.{i}.slug");
                if !is_valid_slug(slug) {
                    reader.error(&path, format!("{what} slug `{slug}` may not be empty or contain `/`, `\\`, spaces, control characters or a leading `.`"), None);
                } else if group == "tags" && *slug == "index" {
                    reader.error(
                        &path,
                        "tag `index` would overwrite the page of all tags (tags/index.html)".into(),
                        None,
                    );
                } else if !seen.insert(*slug) {
                    reader.error(&path, format!("{what} `{slug}` is declared twice"), None);
                }
            }
        }
        let mut folders: Vec<(&str, &str)> = Vec::new();
        for (i, kind) in self.kinds.iter().enumerate() {
            if Kind::from_slug(&kind.slug).is_none() {
                let d = reader
                    .diagnostic(
                        &format!("kinds.{i}.slug"),
                        format!("unknown kind `{}`", kind.slug),
                    )
                    .suggesting(&kind.slug, Kind::ALL.iter().map(|k| k.slug()));
                reader.problems.push(d);
            }
            let folder_path = format!("kinds.{i}.folder");
            if let Some((other, _)) = folders.iter().find(|(_, f)| *f == kind.folder) {
                reader.error(
                    &folder_path,
                    format!(
                        "kinds `{other}` and `{}` both use the folder `{}`",
                        kind.slug, kind.folder
                    ),
                    Some("give each kind a folder of its own".into()),
                );
            }
            folders.push((&kind.slug, &kind.folder));
            if crate::urls::is_reserved(&kind.folder) || !is_valid_slug(&kind.folder) {
                reader.error(
                    &folder_path,
                    format!(
                        "kind folder `{}` is reserved or not a plain folder name",
                        kind.folder
                    ),
                    Some(format!(
                        "the generator writes {} itself",
                        crate::urls::RESERVED.join(", ")
                    )),
                );
            }
        }
        if !is_valid_slug(&self.theme) {
            reader.error(
                "theme",
                format!("theme `{}` must be the name of a folder under themes/", self.theme),
                Some("write `theme: default` for the built-in theme, or the name of a folder in themes/".into()),
            );
        }
    }

    pub fn level(&self, slug: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.slug == slug)
    }

    pub fn tag(&self, slug: &str) -> Option<&TagConfig> {
        self.tags.iter().find(|t| t.slug == slug)
    }

    pub fn kind_config(&self, kind: Kind) -> Option<&KindConfig> {
        self.kinds.iter().find(|k| k.slug == kind.slug())
    }

    /// The kinds this site has, in the fixed order of `Kind::ALL`.
    pub fn kinds_present(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL
            .into_iter()
            .filter(|k| self.kind_config(*k).is_some())
    }
}

/// Reads values out of the document, collecting problems with their positions.
struct Reader<'a> {
    file: &'a Path,
    positions: &'a Positions,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn position(&self, path: &str) -> Position {
        let found = match path.strip_prefix("key:") {
            Some(key) => self.positions.key(key),
            None => self.positions.value(path),
        };
        found.unwrap_or(Position { line: 1, column: 1 })
    }

    fn diagnostic(&self, path: &str, message: String) -> Diagnostic {
        let at = self.position(path);
        Diagnostic::error(self.file, message).at(at.line, at.column)
    }

    fn error(&mut self, path: &str, message: String, hint: Option<String>) {
        let d = self.diagnostic(path, message);
        self.problems.push(match hint {
            Some(hint) => d.with_hint(hint),
            None => d,
        });
    }

    /// The value of the switch at `path` (`true` or `false`); anything else is an error.
    fn switch(&mut self, path: &str, value: &Value) -> Option<bool> {
        let on = value.as_bool();
        if on.is_none() {
            self.error(path, format!("`{path}` must be `true` or `false`"), None);
        }
        on
    }

    /// `search: { elasticlunr: true }`.
    fn search(&mut self, value: Value) -> SearchConfig {
        let mut search = SearchConfig::default();
        let Value::Mapping(options) = value else {
            self.error(
                "search",
                "`search` must be a mapping of options".into(),
                Some("e.g. `search: { elasticlunr: true }`".into()),
            );
            return search;
        };
        for (key, value) in options {
            let Some(key) = key.as_str().map(str::to_string) else {
                self.error(
                    "search",
                    "the options under `search` are names, such as `elasticlunr`".into(),
                    Some("e.g. `search: { elasticlunr: true }`".into()),
                );
                continue;
            };
            match key.as_str() {
                "elasticlunr" => {
                    if let Some(on) = self.switch("search.elasticlunr", &value) {
                        search.elasticlunr = on;
                    }
                }
                other => {
                    let d = self
                        .diagnostic(
                            &format!("key:search.{other}"),
                            format!("unknown key `{other}` under `search`"),
                        )
                        .suggesting(other, SEARCH_KEYS.iter().copied());
                    self.problems.push(d);
                }
            }
        }
        search
    }

    fn text(&mut self, key: &str, value: Value) -> String {
        match value {
            Value::String(text) => text,
            Value::Number(n) => n.to_string(),
            Value::Null => String::new(),
            _ => {
                self.error(key, format!("`{key}` must be text"), None);
                String::new()
            }
        }
    }

    /// A list of entries, each read on its own: a broken entry is reported, and stands in
    /// as `placeholder(slug)` where it has a slug, so that pages naming it are not reported
    /// again.
    fn entries<T: DeserializeOwned, P: Into<Option<T>>>(
        &mut self,
        key: &str,
        value: Value,
        placeholder: impl Fn(&str) -> P,
    ) -> Vec<T> {
        let Value::Sequence(items) = value else {
            self.error(
                key,
                format!("`{key}` must be a list"),
                Some(format!(
                    "one `- {{ slug: …, name: … }}` per line under `{key}:`"
                )),
            );
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let slug = item.get("slug").and_then(Value::as_str).map(str::to_string);
            match serde_yaml::from_value::<T>(item) {
                Ok(entry) => entries.push(entry),
                Err(error) => {
                    entries.extend(slug.and_then(|slug| placeholder(&slug).into()));
                    let message = error.to_string();
                    let message = message
                        .split(", expected one of")
                        .next()
                        .unwrap_or(&message);
                    let path = format!("{key}.{i}");
                    let d = self.diagnostic(&path, format!("invalid entry in `{key}`: {message}"));
                    let d = match message
                        .split("unknown field `")
                        .nth(1)
                        .and_then(|r| r.split('`').next())
                    {
                        Some(field) => {
                            d.suggesting(field, ["slug", "name", "description", "folder"])
                        }
                        None => d,
                    };
                    self.problems.push(d);
                }
            }
        }
        entries
    }

    /// `synonyms:`: a list of groups, each a list of two or more words.
    fn synonyms(&mut self, value: Value) -> Vec<SynonymGroup> {
        let hint = "write each group as a list of words that mean the same: `- [上热中温下冷, 压力传导层层递减]`";
        let Value::Sequence(groups) = value else {
            self.error(
                "synonyms",
                "`synonyms` must be a list of groups".into(),
                Some(hint.into()),
            );
            return Vec::new();
        };
        let mut result = Vec::new();
        for (i, group) in groups.into_iter().enumerate() {
            let path = format!("synonyms.{i}");
            let at = self.position(&path);
            let items = match group {
                Value::Sequence(items) => items,
                _ => {
                    self.error(
                        &path,
                        "a synonym group must be a list of words".into(),
                        Some(hint.into()),
                    );
                    continue;
                }
            };
            let mut terms: Vec<(String, Position)> = Vec::new();
            for (j, item) in items.into_iter().enumerate() {
                let item_path = format!("{path}.{j}");
                match item {
                    Value::String(text) if !text.trim().is_empty() => {
                        let text = text.trim().to_string();
                        if !terms.iter().any(|(t, _)| *t == text) {
                            terms.push((text, self.position(&item_path)));
                        }
                    }
                    Value::Number(n) => terms.push((n.to_string(), self.position(&item_path))),
                    _ => self.error(
                        &item_path,
                        "a synonym must be a word".into(),
                        Some(hint.into()),
                    ),
                }
            }
            if terms.len() < 2 {
                self.error(
                    &path,
                    "a synonym group needs two or more different words".into(),
                    Some(hint.into()),
                );
                continue;
            }
            result.push(SynonymGroup { terms, at });
        }
        result
    }

    fn finish(self, config: Option<SiteConfig>) -> ParsedConfig {
        ParsedConfig {
            config,
            problems: self.problems,
        }
    }
}

/// A slug is used as a file name: no separators, no hidden files, no blanks or controls.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && !slug.chars().any(char::is_control)
        && !slug.contains(['/', '\\', ' ', '?', '#', '%', ':', '"', '<', '>', '|', '*'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(usize, String)> {
        SiteConfig::parse(text, Path::new("content/site.yaml"))
            .problems
            .into_iter()
            .map(|d| (d.line.unwrap_or(0), d.message))
            .collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "title: t\nkinds:\n  - { slug: problem, folder: problems, name: 问题 }\n  - { slug: case, folder: problems, name: 案例 }\nlevels:\n  - { slug: a, nmae: A }\ntags:\n  - { slug: x, name: X }\n  - { slug: x, name: Y }\ntheme: ../../etc\n";
        assert_eq!(
            problems(text),
            [
                (
                    6,
                    "invalid entry in `levels`: unknown field `nmae`".to_string()
                ),
                (9, "tag `x` is declared twice".to_string()),
                (
                    4,
                    "kinds `problem` and `case` both use the folder `problems`".to_string()
                ),
                (
                    10,
                    "theme `../../etc` must be the name of a folder under themes/".to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_broken_entry_leaves_the_others_usable() {
        let parsed = SiteConfig::parse(
            "title: t\nkinds:\n  - { slug: problem, folder: problems, name: 问题 }\n  - { slug: case }\n",
            Path::new("site.yaml"),
        );
        let config = parsed.config.unwrap();
        assert_eq!(config.kinds.len(), 1);
        assert_eq!(parsed.problems.len(), 1);
    }

    #[test]
    fn search_options_are_checked_where_they_are_written() {
        let kinds = "title: t\nkinds:\n  - { slug: problem, folder: problems, name: 问题 }\n";
        let on = SiteConfig::parse(
            &format!("{kinds}search: {{ elasticlunr: true }}\n"),
            Path::new("site.yaml"),
        );
        assert!(on.problems.is_empty());
        assert!(on.config.unwrap().search.elasticlunr);
        let off = SiteConfig::parse(kinds, Path::new("site.yaml"));
        assert!(!off.config.unwrap().search.elasticlunr);
        let parsed = SiteConfig::parse(
            &format!("{kinds}search:\n  elasticlunr: 是\n  elasticlun: true\n"),
            Path::new("site.yaml"),
        );
        let found: Vec<(Option<usize>, String, Option<String>)> = parsed
            .problems
            .into_iter()
            .map(|d| (d.line, d.message, d.hint))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Some(5),
                    "`search.elasticlunr` must be `true` or `false`".to_string(),
                    None
                ),
                (
                    Some(6),
                    "unknown key `elasticlun` under `search`".to_string(),
                    Some("did you mean `elasticlunr`?".to_string())
                ),
            ]
        );
        assert_eq!(
            problems(&format!("{kinds}search: yes\n")),
            [(4, "`search` must be a mapping of options".to_string())]
        );
        assert_eq!(
            problems(&format!("{kinds}search:\n  1: true\n")),
            [(
                5,
                "the options under `search` are names, such as `elasticlunr`".to_string()
            )]
        );
    }
}
