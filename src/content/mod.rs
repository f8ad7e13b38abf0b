//! The content model: kinds of page, front matter, and the pages loaded from `content/`.
//!
//! Loading happens in two small steps: `load` walks the folder and reads files (catching
//! non-UTF-8 and stray folders), `front_matter` splits and parses each file into a `Page`.

mod front_matter;
mod load;

pub use front_matter::{parse_page, FrontMatter};
pub use load::{load_sources, SourceFile};

use std::path::PathBuf;

use serde::Serialize;

/// The kinds of page the knowledge base knows. Their behaviour (which references they carry)
/// is fixed here; their names and folders come from the site configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Responsibility,
    Problem,
    Countermeasure,
    Case,
    Source,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Responsibility,
        Kind::Problem,
        Kind::Countermeasure,
        Kind::Case,
        Kind::Source,
        Kind::Page,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Responsibility => "responsibility",
            Kind::Problem => "problem",
            Kind::Countermeasure => "countermeasure",
            Kind::Case => "case",
            Kind::Source => "source",
            Kind::Page => "page",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Front-matter keys that only this kind accepts (on top of `COMMON_KEYS`).
    pub fn specific_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Responsibility => &["bearer", "related"],
            Kind::Problem => &["level", "responsibilities", "countermeasures", "related"],
            Kind::Countermeasure => &["problems", "responsibilities", "related"],
            Kind::Case => &[
                "place",
                "date",
                "illustrative",
                "problems",
                "countermeasures",
                "responsibilities",
            ],
            Kind::Source => &["publisher", "date", "author"],
            Kind::Page => &[],
        }
    }
}

/// Keys every kind accepts.
pub const COMMON_KEYS: &[&str] = &[
    "title",
    "short_title",
    "slug",
    "kind",
    "summary",
    "tags",
    "aliases",
    "order",
    "sources",
];

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
    /// The front matter as written, and the file line it starts on, to locate values.
    pub front_matter_text: String,
    pub front_matter_first_line: usize,
    pub body: String,
    pub body_first_line: usize,
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

    /// The 1-based file line on which `value` appears in the front matter, if it does.
    pub fn line_of(&self, value: &str) -> Option<usize> {
        self.front_matter_text
            .lines()
            .position(|line| line.contains(value))
            .map(|i| i + self.front_matter_first_line)
    }

    /// Typed references to other pages, as (field name, target kind, slugs).
    pub fn references(&self) -> [(&'static str, Kind, &[String]); 5] {
        let related_kind = match self.kind {
            Kind::Countermeasure => Kind::Countermeasure,
            Kind::Responsibility => Kind::Responsibility,
            _ => Kind::Problem,
        };
        [
            (
                "responsibilities",
                Kind::Responsibility,
                &self.meta.responsibilities,
            ),
            ("problems", Kind::Problem, &self.meta.problems),
            (
                "countermeasures",
                Kind::Countermeasure,
                &self.meta.countermeasures,
            ),
            ("related", related_kind, &self.meta.related),
            ("sources", Kind::Source, &self.meta.sources),
        ]
    }
}
