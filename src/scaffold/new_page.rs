//! `policykb new KIND SLUG`: a new page of a kind with every field it takes, the required
//! ones filled with placeholders (`【待填写：…】`) and a comment per field in Chinese, so
//! that an author starts from the schema rather than from a copy of another page.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::{is_valid_slug, SiteConfig, CONFIG_FILE};
use crate::content::Kind;
use crate::diagnostics::closest_match;

/// The front matter and body of a new page, per kind (`{{…}}` filled in by `fill`).
const HEAD: &str = include_str!("archetypes/common-head.md");
const TAIL: &str = include_str!("archetypes/common-tail.md");

fn archetype(kind: Kind) -> &'static str {
    match kind {
        Kind::Responsibility => include_str!("archetypes/responsibility.md"),
        Kind::Problem => include_str!("archetypes/problem.md"),
        Kind::Countermeasure => include_str!("archetypes/countermeasure.md"),
        Kind::Case => include_str!("archetypes/case.md"),
        Kind::Source => include_str!("archetypes/source.md"),
        Kind::Guide => include_str!("archetypes/page.md"),
        Kind::Course => include_str!("archetypes/course.md"),
    }
}

/// Why the page could not be created; `hint` says what to do.
#[derive(Debug, thiserror::Error)]
pub enum NewPageError {
    #[error("cannot read {}: {reason}", path.display())]
    NoConfig { path: PathBuf, reason: String },
    #[error("{} has errors: {first}", path.display())]
    BadConfig { path: PathBuf, first: String },
    #[error("unknown kind `{given}`")]
    UnknownKind {
        given: String,
        suggestion: Option<String>,
        known: String,
    },
    #[error("invalid slug `{slug}`: {reason}")]
    InvalidSlug { slug: String, reason: &'static str },
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl NewPageError {
    pub fn hint(&self) -> Option<String> {
        match self {
            NewPageError::NoConfig { .. } => Some("run it in a knowledge-base folder (or pass --root DIR); `policykb init DIR` creates one".into()),
            NewPageError::BadConfig { .. } => Some("`policykb check` lists every problem of the configuration".into()),
            NewPageError::UnknownKind { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            NewPageError::UnknownKind { known, .. } => Some(format!("the kinds of this knowledge base: {known}")),
            NewPageError::InvalidSlug { .. } => Some("use letters, digits, Chinese characters and `-`, e.g. `某地-双清单`; it becomes the file name and part of the page's address".into()),
            NewPageError::Exists { .. } => Some("choose another slug, or edit the existing file".into()),
            NewPageError::Io { .. } => None,
        }
    }
}

/// What to create: `kind` as its slug, its folder or its name in `site.yaml`.
pub struct NewPage<'a> {
    pub root: &'a Path,
    pub kind: &'a str,
    pub slug: &'a str,
    pub title: Option<&'a str>,
}

/// Creates the page and returns its path; never overwrites a file.
pub fn new_page(request: &NewPage<'_>) -> Result<PathBuf, NewPageError> {
    let config = read_config(request.root)?;
    let kind = find_kind(&config, request.kind)?;
    let slug = request.slug.trim().trim_end_matches(".md");
    check_slug(slug)?;
    let folder = &config
        .kind_config(kind)
        .expect("find_kind returns configured kinds")
        .folder;
    let content = request.root.join("content");
    let path = content.join(folder).join(format!("{slug}.md"));
    // Names differing only by letter case collide on Windows, macOS and USB sticks.
    if let Some(taken) = existing_slugs(&content.join(folder))
        .into_iter()
        .find(|s| s.to_lowercase() == slug.to_lowercase())
    {
        return Err(NewPageError::Exists {
            path: content.join(folder).join(format!("{taken}.md")),
        });
    }
    let text = fill(
        kind,
        &config,
        &content,
        request.title.unwrap_or("【待填写：标题】"),
    );
    write_new(&path, &text)?;
    Ok(path)
}

fn read_config(root: &Path) -> Result<SiteConfig, NewPageError> {
    let path = root.join("content").join(CONFIG_FILE);
    let text = fs::read_to_string(&path).map_err(|e| NewPageError::NoConfig {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let parsed = SiteConfig::parse(&text, &path);
    match (parsed.config, parsed.problems.first()) {
        (Some(config), None) => Ok(config),
        (_, first) => Err(NewPageError::BadConfig {
            first: first.map_or_else(|| "no kinds".into(), |d| d.message.clone()),
            path,
        }),
    }
}

/// The kind named by its slug (`case`), folder (`cases`) or name (`典型案例`).
fn find_kind(config: &SiteConfig, given: &str) -> Result<Kind, NewPageError> {
    let given = given.trim();
    let found = config
        .kinds
        .iter()
        .find(|k| k.slug == given || k.folder == given || k.name == given);
    if let Some(kind) = found.and_then(|k| Kind::from_slug(&k.slug)) {
        return Ok(kind);
    }
    let names = config
        .kinds
        .iter()
        .flat_map(|k| [k.slug.as_str(), k.folder.as_str(), k.name.as_str()]);
    Err(NewPageError::UnknownKind {
        given: given.to_string(),
        suggestion: closest_match(given, names).map(str::to_string),
        known: config
            .kinds
            .iter()
            .map(|k| format!("{} ({})", k.slug, k.name))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn check_slug(slug: &str) -> Result<(), NewPageError> {
    let reason = if slug.is_empty() {
        Some("it is empty")
    } else if slug.starts_with('.') {
        Some("it starts with `.` (a hidden file)")
    } else if !is_valid_slug(slug) {
        Some(r#"it contains a space or one of / \ ? # % : " < > | *"#)
    } else if slug == "index" {
        Some("`index` is the name of the kind's index page")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(NewPageError::InvalidSlug {
            slug: slug.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The archetype of `kind` with this knowledge base's levels, tags and example slugs.
fn fill(kind: Kind, config: &SiteConfig, content: &Path, title: &str) -> String {
    let folder_of = |kind: Kind| {
        config
            .kind_config(kind)
            .map_or_else(|| kind.slug().to_string(), |k| k.folder.clone())
    };
    let slugs_of = |kind: Kind| existing_slugs(&content.join(folder_of(kind)));
    let examples = |kind: Kind| {
        let slugs = slugs_of(kind);
        match slugs.is_empty() {
            true => "文件名".to_string(),
            false => slugs.into_iter().take(3).collect::<Vec<_>>().join(", "),
        }
    };
    let unit_page = Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::Course)
        .find_map(|k| {
            slugs_of(k)
                .into_iter()
                .next()
                .map(|slug| format!("{}/{slug}", folder_of(k)))
        })
        .unwrap_or_else(|| "【待填写：文件夹/文件名】".into());
    let list = |items: Vec<String>| match items.is_empty() {
        true => "（site.yaml 里还没有）".to_string(),
        false => items.join("、"),
    };
    let levels = list(
        config
            .levels
            .iter()
            .map(|l| format!("{}（{}）", l.slug, l.name))
            .collect(),
    );
    let tags = list(
        config
            .tags
            .iter()
            .map(|t| format!("{}（{}）", t.slug, t.name))
            .collect(),
    );
    let first_level = config
        .levels
        .first()
        .map_or_else(|| "【待填写：层面】".to_string(), |l| l.slug.clone());
    let first_source = slugs_of(Kind::Source)
        .into_iter()
        .next()
        .unwrap_or_else(|| "文件名".into());
    let text = format!("{HEAD}{}", archetype(kind)).replace("{{tail}}", TAIL.trim_end());
    let title = yaml_text(title);
    [
        ("{{title}}", title.as_str()),
        ("{{kind}}", kind.slug()),
        ("{{levels}}", &levels),
        ("{{first_level}}", &first_level),
        ("{{tags}}", &tags),
        ("{{sources}}", &examples(Kind::Source)),
        ("{{first_source}}", &first_source),
        ("{{problems}}", &examples(Kind::Problem)),
        ("{{countermeasures}}", &examples(Kind::Countermeasure)),
        ("{{responsibilities}}", &examples(Kind::Responsibility)),
        ("{{source_folder}}", &folder_of(Kind::Source)),
        ("{{problem_folder}}", &folder_of(Kind::Problem)),
        (
            "{{countermeasure_folder}}",
            &folder_of(Kind::Countermeasure),
        ),
        (
            "{{responsibility_folder}}",
            &folder_of(Kind::Responsibility),
        ),
        ("{{unit_page}}", &unit_page),
        ("{{period_minutes}}", &config.period_minutes.to_string()),
    ]
    .iter()
    .fold(text, |text, (key, value)| text.replace(key, value))
}

/// A title as a YAML value: quoted when YAML would read it as something else.
fn yaml_text(title: &str) -> String {
    let plain = serde_yaml::from_str::<String>(title).is_ok_and(|read| read == title)
        && !title.contains(": ")
        && !title.contains(" #");
    match plain {
        true => title.to_string(),
        false => serde_json::to_string(title).unwrap_or_default(),
    }
}

/// The slugs of the pages in a kind folder (file names without `.md`), sorted.
fn existing_slugs(folder: &Path) -> Vec<String> {
    let mut slugs: Vec<String> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let slug = name.strip_suffix(".md")?.to_string();
            (!slug.starts_with('.') && slug != "index").then_some(slug)
        })
        .collect();
    slugs.sort();
    slugs
}

/// Writes `text` to a file that must not exist yet (created exclusively: no race, no
/// overwrite).
fn write_new(path: &Path, text: &str) -> Result<(), NewPageError> {
    let io_error = |source| NewPageError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error)?;
    }
    let mut file = match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(NewPageError::Exists {
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(io_error(e)),
    };
    file.write_all(text.as_bytes()).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::schema::FIELDS;

    #[test]
    fn every_archetype_offers_every_field_of_its_kind_and_nothing_else() {
        for kind in Kind::ALL {
            let text = format!("{HEAD}{}{TAIL}", archetype(kind));
            let offered: Vec<&str> = text
                .lines()
                .filter_map(|line| {
                    let line = line.trim_start_matches("# ");
                    let (key, _) = line.split_once(':')?;
                    key.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_')
                        .then_some(key)
                })
                .collect();
            for field in FIELDS.iter().filter(|f| f.accepts(kind)) {
                assert!(
                    offered.contains(&field.name),
                    "{}: no `{}`",
                    kind.slug(),
                    field.name
                );
            }
            for key in offered {
                let field = FIELDS.iter().find(|f| f.name == key);
                // Keys inside list items (question, options …) are not fields.
                if let Some(field) = field {
                    assert!(field.accepts(kind), "{}: `{key}`", kind.slug());
                }
            }
        }
    }

    #[test]
    fn titles_are_quoted_only_when_yaml_needs_it() {
        assert_eq!(yaml_text("某地：双清单"), "某地：双清单");
        assert_eq!(yaml_text("a: b"), "\"a: b\"");
        assert_eq!(yaml_text("[x]"), "\"[x]\"");
    }
}
