//! The site model: the whole knowledge base, checked and cross-linked, as one value.
//!
//! `link::link` builds it once from the parsed pages, the configuration, the theme and the
//! assets; every later stage (render, index, write, and `serve`'s incremental updates)
//! reads it, and none goes back to the disk. A page's data lives in one `PageRecord`:
//! its front matter and body, its resolved references and links, its back-links, and, once
//! rendered, its plain text and heading anchors.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::config::SiteConfig;
use crate::content::{Asset, Field, Kind, Page};
use crate::diagnostics::Diagnostic;
use crate::theme::Theme;
use crate::urls;

/// Sites with more pages get no `print.html` unless `print_page: true` asks for it.
pub const PRINT_PAGE_LIMIT: usize = 2000;

/// A page's index in `Site::pages` (which is in reading order).
pub type PageId = usize;

/// The knowledge base, ready to render.
pub struct Site {
    pub config: SiteConfig,
    /// Sorted by kind, then `order`, then slug: the reading order.
    pub pages: Vec<PageRecord>,
    /// Tag slug → pages carrying it, in reading order; every configured tag has an entry.
    pub tags: BTreeMap<String, Vec<PageId>>,
    /// Path under `content/` → page, for `@/` links.
    pub by_content_path: HashMap<String, PageId>,
    /// Per kind (in `Kind::ALL` order), its pages in reading order.
    pub by_kind: Vec<Vec<PageId>>,
    /// Groups of words search treats as one (from `site.yaml`, `@/` entries expanded).
    pub synonyms: Vec<Vec<String>>,
    /// The terms linked in pages' text.
    pub glossary: crate::terms::Glossary,
    /// Path under `content/` → date of the file's last commit, when the knowledge base is a
    /// git checkout (for 最后更新).
    pub updated: HashMap<String, String>,
    pub theme: Theme,
    /// Files copied next to the pages.
    pub assets: Vec<Asset>,
    /// The knowledge base's folder, where `body` reads a body the model no longer holds.
    pub root: PathBuf,
}

/// One page and everything known about it.
pub struct PageRecord {
    pub page: Page,
    /// Resolved typed references, per field, in schema order.
    pub references: Vec<(&'static Field, Vec<PageId>)>,
    /// Resolved links in the body (`@/…` and relative `….md`).
    pub links: Vec<BodyLink>,
    /// Where this page's running text mentions glossary terms first (what rendering links).
    pub term_mentions: Vec<crate::markdown::TermMention>,
    /// Pages whose text mentions this page's title or aliases.
    pub term_backlinks: Vec<PageId>,
    /// `#anchor` links to places on this page, with their file line and column.
    pub local_anchors: Vec<(String, usize, usize)>,
    /// Pages that reference or link to this one, sorted, without itself.
    pub backlinks: Vec<PageId>,
    /// Pages that name this one in a typed reference (front matter), sorted, without itself.
    pub referenced_by: Vec<PageId>,
    /// Filled by rendering: the body as plain text (for the index) and its anchors.
    pub rendered: OnceLock<RenderedText>,
}

/// A link in a page body to another page (or a place on one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLink {
    pub target: PageId,
    pub fragment: Option<String>,
    pub line: usize,
    pub column: usize,
}

/// What rendering a page body leaves for later stages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedText {
    pub plain_text: String,
    /// Every `id` in the body (headings, footnotes), for checking `#anchor` links.
    pub anchors: Vec<String>,
    /// Where each heading starts in `plain_text` (UTF-16 units), with its id.
    pub sections: Vec<(usize, String)>,
}

impl PageRecord {
    pub fn new(page: Page) -> PageRecord {
        PageRecord {
            page,
            references: Vec::new(),
            links: Vec::new(),
            local_anchors: Vec::new(),
            term_mentions: Vec::new(),
            term_backlinks: Vec::new(),
            backlinks: Vec::new(),
            referenced_by: Vec::new(),
            rendered: OnceLock::new(),
        }
    }

    /// The page's plain text, once rendered (empty before).
    pub fn plain_text(&self) -> &str {
        self.rendered.get().map_or("", |r| r.plain_text.as_str())
    }

    /// Drops the plain text once the page is rendered and indexed, keeping its anchors (a
    /// build that will not render it again holds only one slice of text at a time; see
    /// `lib.rs`).
    pub fn forget_text(&mut self) {
        if let Some(rendered) = self.rendered.get_mut() {
            rendered.plain_text = String::new();
            rendered.sections = Vec::new();
        }
    }

    /// The targets of one reference field.
    pub fn referenced(&self, field: &str) -> &[PageId] {
        self.references
            .iter()
            .find(|(f, _)| f.name == field)
            .map_or(&[], |(_, targets)| targets.as_slice())
    }

    /// Every page this one names in a typed reference (front matter), each once, without itself.
    pub fn typed_references(&self, me: PageId) -> Vec<PageId> {
        let mut named: Vec<PageId> = self
            .references
            .iter()
            .flat_map(|(_, targets)| targets.iter().copied())
            .filter(|&t| t != me)
            .collect();
        named.sort_unstable();
        named.dedup();
        named
    }

    /// Every page this one names: references and body links, each once, without itself.
    pub fn names(&self, me: PageId) -> Vec<PageId> {
        let mut named: Vec<PageId> = self
            .references
            .iter()
            .flat_map(|(_, targets)| targets.iter().copied())
            .chain(self.links.iter().map(|l| l.target))
            .filter(|&t| t != me)
            .collect();
        named.sort_unstable();
        named.dedup();
        named
    }
}

impl Site {
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id].page
    }

    /// A page's Markdown body: the one the model holds, or (in a build, which holds none)
    /// read again from its file; see `Page::body_text`.
    pub fn body(&self, id: PageId) -> Result<Cow<'_, str>, Diagnostic> {
        self.page(id).body_text(&self.root)
    }

    /// The pages of one kind, in reading order.
    pub fn pages_of(&self, kind: Kind) -> &[PageId] {
        let at = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.by_kind.get(at).map_or(&[], Vec::as_slice)
    }

    /// The folder of a kind, in `content/` and in the output.
    pub fn folder(&self, kind: Kind) -> &str {
        self.config
            .kind_config(kind)
            .map_or(kind.slug(), |k| k.folder.as_str())
    }

    /// The name readers see for a kind (问题类别, 典型案例, …).
    pub fn kind_name(&self, kind: Kind) -> &str {
        self.config
            .kind_config(kind)
            .map_or(kind.slug(), |k| k.name.as_str())
    }

    pub fn url(&self, id: PageId) -> String {
        let page = self.page(id);
        urls::page(self.folder(page.kind), &page.slug)
    }

    /// The pages before and after `id` in its kind's reading order.
    pub fn neighbours(&self, id: PageId) -> (Option<PageId>, Option<PageId>) {
        // Pages are sorted by kind first, so a kind's pages are ascending ids.
        let same = self.pages_of(self.page(id).kind);
        match same.binary_search(&id).ok() {
            Some(at) => (
                at.checked_sub(1).map(|p| same[p]),
                same.get(at + 1).copied(),
            ),
            None => (None, None),
        }
    }

    /// Whether the site gets `print.html`, every page in one document: by default only up to
    /// `PRINT_PAGE_LIMIT` pages (a document of tens of thousands of pages prints nowhere).
    pub fn has_print_page(&self) -> bool {
        self.config
            .print_page
            .unwrap_or(self.pages.len() <= PRINT_PAGE_LIMIT)
    }

    /// The problem categories of a level, in reading order.
    pub fn problems_of_level<'a>(&'a self, level: &'a str) -> impl Iterator<Item = PageId> + 'a {
        self.pages_of(Kind::Problem)
            .iter()
            .copied()
            .filter(move |&p| self.page(p).meta.level.as_deref() == Some(level))
    }
}
