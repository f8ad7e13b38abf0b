//! The content model: kinds of page, their front-matter schema, and the pages of `content/`.
//!
//! Loading happens in two small steps: `load` walks the folder and reads files (catching
//! non-UTF-8 text, bad file names and stray folders), `front_matter` splits and parses each
//! file into a `Page` against the `schema`.

mod front_matter;
mod load;
pub mod schema;

pub use front_matter::{body_hash, body_of, parse_page, read_page};
pub use load::{commit_dates, load_sources, Asset, FoundFile, LoadedContent, SourceFile};
pub use schema::{Field, FrontMatter, Question, Shape, Target, Unit, FIELDS};

use std::borrow::Cow;
use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::yaml::{Position, Positions};

/// The kinds of page the knowledge base knows. Their behaviour (which fields they take) is
/// fixed in `schema`; their names and folders come from the site configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Responsibility,
    Problem,
    Countermeasure,
    Case,
    Source,
    /// 说明: about, how to use, study paths, topic pages. Named `page` in `site.yaml`.
    Guide,
    /// 课程: a training course made of units of other pages.
    Course,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Responsibility,
        Kind::Problem,
        Kind::Countermeasure,
        Kind::Case,
        Kind::Source,
        Kind::Guide,
        Kind::Course,
    ];

    /// The name in `site.yaml` and in `kind:` fields.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Responsibility => "responsibility",
            Kind::Problem => "problem",
            Kind::Countermeasure => "countermeasure",
            Kind::Case => "case",
            Kind::Source => "source",
            Kind::Guide => "page",
            Kind::Course => "course",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

/// One page of the knowledge base, parsed but not yet checked against the others.
#[derive(Debug, Clone)]
pub struct Page {
    pub kind: Kind,
    pub slug: String,
    /// The file, relative to the knowledge-base root (for diagnostics).
    pub file: PathBuf,
    /// The path inside `content/`, with `/` separators: what `@/…` links name.
    pub content_path: String,
    pub meta: FrontMatter,
    /// Where each front-matter key and value stands in the file.
    pub positions: Positions,
    /// The Markdown body, or empty once a build has no more use for it (`Site::body` reads
    /// it again from the file, checked against `body_hash`).
    pub body: String,
    /// `content::body_hash` of the body: a file that changes during a build is noticed.
    pub body_hash: u64,
    pub body_first_line: usize,
    /// The first line of the front matter (after `---`), where "missing field" points.
    pub front_matter_first_line: usize,
}

/// A free text's field in the front matter, and its place in the list for a list field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPlace {
    pub field: &'static str,
    pub item: Option<usize>,
}

impl Page {
    /// The name citations and empty `@/` links show: `short_title`, else the title.
    pub fn short_title(&self) -> &str {
        self.meta
            .short_title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.meta.title)
    }

    /// The position of a front-matter value (`tags.2`, `level`), or the front matter's start.
    pub fn position_of(&self, path: &str) -> Position {
        self.positions.value(path).unwrap_or(Position {
            line: self.front_matter_first_line,
            column: 1,
        })
    }

    /// Every free text of the front matter (`summary`, each of `aliases` …) with the place
    /// of its value (`Page::position_of_text`), for checks that read the author's words.
    pub fn front_matter_texts(&self) -> Vec<(TextPlace, &str)> {
        let mut texts = Vec::new();
        for field in FIELDS
            .iter()
            .filter(|f| matches!(f.shape, Shape::Text | Shape::TextList))
        {
            for (i, text) in self.meta.texts(field.name).into_iter().enumerate() {
                let item = matches!(field.shape, Shape::TextList).then_some(i);
                texts.push((
                    TextPlace {
                        field: field.name,
                        item,
                    },
                    text,
                ));
            }
        }
        texts
    }

    /// Where a text of `front_matter_texts` stands: looked up only for the few texts a
    /// check has something to say about.
    pub fn position_of_text(&self, place: &TextPlace) -> Position {
        match place.item {
            Some(i) => self.position_of(&format!("{}.{i}", place.field)),
            None => self.position_of(place.field),
        }
    }

    /// The Markdown body: the one this page holds, or, when it holds none (a build keeps
    /// no bodies: `lib.rs`), read again from its file under `root`, which must not have
    /// changed since it was parsed: a page is never rendered from text whose links were not
    /// checked.
    pub fn body_text(&self, root: &std::path::Path) -> Result<Cow<'_, str>, Diagnostic> {
        if !self.body.is_empty() || self.body_hash == body_hash("") {
            return Ok(Cow::Borrowed(&self.body));
        }
        let again = "build again once it is saved";
        let bytes = std::fs::read(root.join(&self.file)).map_err(|e| {
            Diagnostic::error(&self.file, format!("cannot read it again: {e}")).with_hint(again)
        })?;
        // Not UTF-8 now: the file was changed (it was when parsed).
        let text = simdutf8::basic::from_utf8(&bytes).map_err(|_| {
            Diagnostic::error(
                &self.file,
                "the file changed while the site was being built",
            )
            .with_hint(again)
        })?;
        match body_of(text) {
            Some(body) if body_hash(&body) == self.body_hash => Ok(Cow::Owned(body)),
            _ => Err(Diagnostic::error(
                &self.file,
                "the file changed while the site was being built",
            )
            .with_hint(again)),
        }
    }

    /// The lines of `body` (this page's) outside fenced code blocks, with their line
    /// numbers in the file: prose, where an example in a code block is not the author's own
    /// text.
    pub fn prose_lines<'a>(&self, body: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        let mut in_fence = false;
        let first_line = self.body_first_line;
        body.lines().enumerate().filter_map(move |(offset, line)| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                in_fence = !in_fence;
                return None;
            }
            (!in_fence).then_some((first_line + offset, line))
        })
    }

    /// The reference fields of this page's kind with the slugs each names.
    pub fn references(&self) -> impl Iterator<Item = (&'static Field, Kind, Vec<&str>)> + '_ {
        FIELDS.iter().filter_map(move |field| match field.shape {
            Shape::References(target) if field.accepts(self.kind) => Some((
                field,
                target.kind_for(self.kind),
                self.meta.texts(field.name),
            )),
            _ => None,
        })
    }
}
