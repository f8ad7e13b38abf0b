//! Splitting a Markdown file into YAML front matter and body, and checking the front matter.

use serde::Deserialize;

use crate::config::is_valid_slug;
use crate::diagnostics::Diagnostic;
use crate::yaml;

use super::{Kind, Page, SourceFile, COMMON_KEYS};

/// Every front-matter key any kind accepts. Unknown keys are errors (a typo such as `tgas`
/// must never be silently ignored); keys of another kind are errors too, checked per kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(default)]
    pub title: String,
    pub short_title: Option<String>,
    pub slug: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub order: Option<i64>,
    #[serde(default)]
    pub sources: Vec<String>,
    pub level: Option<String>,
    #[serde(default)]
    pub responsibilities: Vec<String>,
    #[serde(default)]
    pub problems: Vec<String>,
    #[serde(default)]
    pub countermeasures: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    pub place: Option<String>,
    pub date: Option<String>,
    #[serde(default)]
    pub illustrative: bool,
    pub bearer: Option<String>,
    pub publisher: Option<String>,
    pub author: Option<String>,
}

/// The parts of a Markdown file, with the file lines where each starts.
struct Split<'a> {
    front_matter: &'a str,
    front_matter_first_line: usize,
    body: &'a str,
    body_first_line: usize,
}

/// Parses one file into a page, or returns every problem found in it.
pub fn parse_page(source: &SourceFile) -> Result<Page, Vec<Diagnostic>> {
    let split = split(&source.text).map_err(|d| vec![d.in_file(&source.file)])?;
    let meta: FrontMatter = yaml::parse_at(split.front_matter, split.front_matter_first_line)
        .map_err(|e| {
            // serde lists every accepted key after "expected one of"; the hint is more useful.
            let message = e
                .message
                .split(", expected one of")
                .next()
                .unwrap_or(&e.message);
            let mut d = Diagnostic::error(&source.file, format!("invalid front matter: {message}"));
            if let Some(line) = e.line {
                d = d.at(line, e.column.unwrap_or(1));
            }
            if let Some(key) = unknown_field_name(&e.message) {
                d = d.suggesting(key, all_keys());
            }
            vec![d]
        })?;

    let stem = source
        .content_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    let page = Page {
        kind: source.kind,
        slug: meta.slug.clone().unwrap_or(stem),
        file: source.file.clone(),
        content_path: source.content_path.clone(),
        meta,
        front_matter_text: split.front_matter.to_string(),
        front_matter_first_line: split.front_matter_first_line,
        body: split.body.to_string(),
        body_first_line: split.body_first_line,
    };
    let problems = check_page(&page);
    if problems.is_empty() {
        Ok(page)
    } else {
        Err(problems)
    }
}

/// serde's message for `deny_unknown_fields` is "unknown field `x`, expected one of …".
fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

fn all_keys() -> impl Iterator<Item = &'static str> {
    COMMON_KEYS.iter().copied().chain(
        Kind::ALL
            .iter()
            .flat_map(|k| k.specific_keys().iter().copied()),
    )
}

/// A diagnostic that is not yet tied to a file.
struct Located {
    line: usize,
    message: String,
    hint: &'static str,
}

impl Located {
    fn in_file(self, file: &std::path::Path) -> Diagnostic {
        Diagnostic::error(file, self.message)
            .at_line(self.line)
            .with_hint(self.hint)
    }
}

fn split(text: &str) -> Result<Split<'_>, Located> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let missing = || Located {
        line: 1,
        message: "missing front matter".to_string(),
        hint: "start the file with `---`, the YAML fields (title, summary, …), and another `---`",
    };
    let first_line_end = text.find('\n').ok_or_else(missing)?;
    if text[..first_line_end].trim_end() != "---" {
        return Err(missing());
    }
    let mut offset = first_line_end + 1;
    for (line_number, line) in (2..).zip(text[offset..].split_inclusive('\n')) {
        if line.trim_end() == "---" {
            let front_matter = &text[first_line_end + 1..offset];
            return Ok(Split {
                front_matter,
                front_matter_first_line: 2,
                body: &text[offset + line.len()..],
                body_first_line: line_number + 1,
            });
        }
        offset += line.len();
    }
    Err(Located {
        line: 1,
        message: "front matter is not closed".to_string(),
        hint: "end the YAML fields with a line containing only `---`",
    })
}

/// Checks what serde cannot: required fields and keys that belong to another kind.
fn check_page(page: &Page) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let error = |message: String| Diagnostic::error(&page.file, message);
    let kind = page.kind.slug();

    for (line_offset, line) in page.front_matter_text.lines().enumerate() {
        let Some(key) = top_level_key(line) else {
            continue;
        };
        if !COMMON_KEYS.contains(&key) && !page.kind.specific_keys().contains(&key) {
            let allowed: Vec<&str> = page.kind.specific_keys().to_vec();
            problems.push(
                error(format!("`{key}` is not a field of {kind} pages"))
                    .at_line(page.front_matter_first_line + line_offset)
                    .with_hint(if allowed.is_empty() {
                        format!(
                            "{kind} pages take only the common fields: {}",
                            COMMON_KEYS.join(", ")
                        )
                    } else {
                        format!(
                            "{kind} pages take the common fields and {}",
                            allowed.join(", ")
                        )
                    }),
            );
        }
    }
    let first = page.front_matter_first_line;
    let mut require = |present: bool, field: &str| {
        if !present {
            problems.push(
                error(format!("missing required field `{field}`"))
                    .at_line(first)
                    .with_hint(format!("add `{field}: …` to the front matter")),
            );
        }
    };
    require(!page.meta.title.trim().is_empty(), "title");
    if page.kind != Kind::Page {
        require(!page.meta.summary.trim().is_empty(), "summary");
    }
    match page.kind {
        Kind::Problem => require(page.meta.level.is_some(), "level"),
        Kind::Case => require(page.meta.place.is_some(), "place"),
        Kind::Source => require(page.meta.publisher.is_some(), "publisher"),
        _ => {}
    }
    if !is_valid_slug(&page.slug) {
        let line = page.line_of("slug:").unwrap_or(first);
        problems.push(
            error(format!("`{}` cannot be used as a slug", page.slug))
                .at_line(line)
                .with_hint("a slug becomes a file name: no `/`, spaces, `?`, `#` or leading `.`"),
        );
    }
    if page.slug == "index" {
        let line = page.line_of("slug:").unwrap_or(first);
        problems.push(
            error("the slug `index` is taken by the kind's index page".to_string())
                .at_line(line)
                .with_hint("rename the file or set another `slug:`"),
        );
    }
    if let Some(declared) = &page.meta.kind {
        if declared != kind {
            let line = page.line_of("kind:").unwrap_or(first);
            let d = if Kind::from_slug(declared).is_none() {
                error(format!("unknown kind `{declared}`"))
                    .suggesting(declared, Kind::ALL.iter().map(|k| k.slug()))
            } else {
                error(format!(
                    "`kind: {declared}` does not match the folder, which holds {kind} pages"
                ))
                .with_hint("move the file to the folder of its kind, or remove the `kind` field")
            };
            problems.push(d.at_line(line));
        }
    }
    problems
}

/// `key` when `line` is a top-level `key: …` line of YAML.
fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    .then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(kind: Kind, text: &str) -> SourceFile {
        SourceFile {
            kind,
            file: PathBuf::from("content/problems/a.md"),
            content_path: "problems/a.md".into(),
            text: text.into(),
        }
    }

    #[test]
    fn body_and_front_matter_keep_their_file_lines() {
        let page = parse_page(&source(
            Kind::Problem,
            "---\ntitle: 甲\nsummary: 乙\nlevel: x\n---\n\n# 正文\n",
        ))
        .unwrap();
        assert_eq!(page.front_matter_first_line, 2);
        assert_eq!(page.body_first_line, 6);
        assert_eq!(page.line_of("level:"), Some(4));
        assert_eq!(page.slug, "a");
    }

    #[test]
    fn typo_in_a_key_is_an_error_with_a_suggestion() {
        let errors =
            parse_page(&source(Kind::Problem, "---\ntitle: 甲\ntgas: [x]\n---\n")).unwrap_err();
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn a_key_of_another_kind_is_an_error() {
        let errors = parse_page(&source(
            Kind::Countermeasure,
            "---\ntitle: 甲\nsummary: 乙\nlevel: x\n---\n",
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0]
            .message
            .contains("`level` is not a field of countermeasure pages"));
        assert_eq!(errors[0].line, Some(4));
    }

    #[test]
    fn missing_front_matter_is_reported_on_line_one() {
        let errors = parse_page(&source(Kind::Page, "# 标题\n")).unwrap_err();
        assert_eq!(errors[0].line, Some(1));
        assert!(errors[0].message.contains("missing front matter"));
    }
}
