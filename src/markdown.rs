//! Markdown → HTML: links rewritten, heading anchors, a table of contents, raw HTML escaped.
//!
//! Two entry points: `scan_body` lists the links of a body with their file positions (for
//! checking before anything is rendered) and the glossary terms its running text links, and
//! `render` turns a body into HTML once every link target is known. A link to another page is written `@/folder/file.md` (stable) or
//! relative, `../folder/file.md`; both are resolved to the page, and both may end in
//! `#anchor`. Ids are unique in a page: repeated headings get `-1`, `-2`, … (skipping ids a
//! heading already has), and footnotes are prefixed `fn-`, so they cannot clash.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::site::PageId;
use crate::terms::{Glossary, TermTarget};

/// The prefix of a link to another page of the knowledge base, by its path under `content/`.
pub const INTERNAL_LINK_PREFIX: &str = "@/";

/// Where a link in a body leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A page, by its path under `content/`; `relative` if written as `../x/y.md`.
    Page {
        path: String,
        fragment: Option<String>,
        relative: bool,
    },
    /// `#anchor` on the same page.
    SamePage(String),
    /// `javascript:`, `vbscript:`, `data:`: removed from the output.
    Unsafe(String),
    /// Anything else (web addresses, images next to the page): left as written.
    Other,
}

/// A link as written in a page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    pub destination: Destination,
    /// The destination as written.
    pub written: String,
    /// 1-based file line and column (in characters) of the link.
    pub line: usize,
    pub column: usize,
}

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The text of the body without markup, for the search index.
    pub plain_text: String,
    /// Every id in the body, for checking `#anchor` links.
    pub anchors: Vec<String>,
    /// Where each heading starts in `plain_text` (in UTF-16 units, as JavaScript counts),
    /// with its id: search results link to the section of their match.
    pub sections: Vec<(usize, String)>,
}

/// Where an internal link leads once resolved: the URL, and the text an empty link shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub href: String,
    /// The target's short title (or title): `[](@/sources/x.md)` shows it.
    pub label: String,
    /// When the target is part of the same document (a handout), the prefix of its ids:
    /// `#anchor` then becomes `#<prefix>anchor`.
    pub id_prefix: Option<String>,
}

/// How a body is laid out in its document: on its own page (the default), or as one part
/// of a longer document such as a handout, with headings moved down and ids prefixed so
/// that they stay unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// How many levels headings move down (`##` becomes `####` with 2).
    pub heading_offset: u8,
    /// Put before every id and same-page anchor.
    pub id_prefix: String,
    /// What screen readers hear for the markup the renderer adds (from the theme's strings).
    pub labels: Labels,
}

/// Accessible names of the markup the renderer adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The box a wide table scrolls in.
    pub table: String,
    /// The `#` link beside a heading.
    pub heading_anchor: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            table: "table".into(),
            heading_anchor: "link to this section".into(),
        }
    }
}

/// Maps a page path under `content/` to where it leads.
pub type Resolve<'a> = dyn Fn(&str) -> Option<LinkTarget> + 'a;

/// Links glossary terms where `scan_body` found them: the mentions, and for a target, the
/// link's opening tag (`<a class="term" …>`), or `None` not to link it.
pub struct TermLinks<'a> {
    pub mentions: &'a [TermMention],
    pub open_tag: &'a dyn Fn(TermTarget) -> Option<&'a str>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// What a destination written in the page at `content_path` leads to.
pub fn destination(url: &str, content_path: &str) -> Destination {
    if let Some(path) = url.strip_prefix(INTERNAL_LINK_PREFIX) {
        let (path, fragment) = split_fragment(path);
        return Destination::Page {
            path: path.to_string(),
            fragment,
            relative: false,
        };
    }
    if let Some(fragment) = url.strip_prefix('#') {
        return Destination::SamePage(fragment.to_string());
    }
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if url.contains(':') {
        return if matches!(scheme.as_str(), "javascript" | "vbscript" | "data") {
            Destination::Unsafe(url.to_string())
        } else {
            Destination::Other
        };
    }
    let (path, fragment) = split_fragment(url);
    if path.ends_with(".md") && !path.starts_with('/') {
        if let Some(path) = join_relative(content_path, path) {
            return Destination::Page {
                path,
                fragment,
                relative: true,
            };
        }
    }
    Destination::Other
}

fn split_fragment(path: &str) -> (&str, Option<String>) {
    match path.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment.to_string())),
        None => (path, None),
    }
}

/// `problems/a.md` + `../cases/b.md` → `cases/b.md`; `None` if it climbs out of `content/`.
fn join_relative(content_path: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = content_path.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// What scanning a body finds before anything is rendered.
#[derive(Debug, Default)]
pub struct BodyScan {
    pub links: Vec<RawLink>,
    /// The glossary terms to link, each at its first mention in running text.
    pub mentions: Vec<TermMention>,
}

/// Where the glossary finds a term to link: in the `text`-th text event of the body (as the
/// parser gives them, counting from 0), at bytes `start..end` of it. Rendering parses the
/// same body the same way, so it finds the place again without searching. 16 bytes: a large
/// site stores millions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermMention {
    pub text: u32,
    pub start: u32,
    pub end: u32,
    /// `TermTarget::pack`ed.
    target: u32,
}

impl TermMention {
    pub fn target(&self) -> TermTarget {
        TermTarget::unpack(self.target)
    }
}

/// The glossary to find terms with, for the page `own` (whose own terms are not linked).
pub struct TermScan<'a> {
    pub glossary: &'a Glossary,
    pub own: PageId,
}

/// Every link of `body` (which starts at file line `first_line`) of the page at `content_path`.
pub fn body_links(body: &str, first_line: usize, content_path: &str) -> Vec<RawLink> {
    scan_body(body, first_line, content_path, None).links
}

/// Every link of `body`, and with `terms`, the first mention of each glossary term in its
/// running text: not in a heading, a link, an image or code.
pub fn scan_body(
    body: &str,
    first_line: usize,
    content_path: &str,
    terms: Option<&TermScan<'_>>,
) -> BodyScan {
    let mut scan = BodyScan::default();
    let mut cursor = Cursor::new(body, first_line);
    let mut texts = 0u32;
    let mut seen = FxHashSet::default();
    // Inside a heading, a link, an image or a code block, terms are not linked.
    let mut no_terms = 0usize;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let destination = destination(dest_url, content_path);
                if destination != Destination::Other {
                    let (line, column) = cursor.advance_to(range.start);
                    scan.links.push(RawLink {
                        destination,
                        written: dest_url.to_string(),
                        line,
                        column,
                    });
                }
            }
            Event::Text(text) => {
                if let (Some(terms), 0) = (terms, no_terms) {
                    first_mentions(text, texts, terms, &mut seen, &mut scan.mentions);
                }
                texts += 1;
            }
            _ => {}
        }
        match &event {
            Event::Start(
                Tag::Heading { .. } | Tag::Link { .. } | Tag::Image { .. } | Tag::CodeBlock(_),
            ) => no_terms += 1,
            Event::End(TagEnd::Heading(_) | TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock) => {
                no_terms = no_terms.saturating_sub(1)
            }
            _ => {}
        }
    }
    scan.mentions.shrink_to_fit();
    scan
}

/// Adds the mentions in `text` (the `number`-th text event) of terms not mentioned before.
fn first_mentions(
    text: &str,
    number: u32,
    terms: &TermScan<'_>,
    seen: &mut FxHashSet<TermTarget>,
    found: &mut Vec<TermMention>,
) {
    for mention in terms.glossary.mentions(text) {
        if mention.target == TermTarget::Page(terms.own) || !seen.insert(mention.target) {
            continue;
        }
        found.push(TermMention {
            text: number,
            start: mention.start as u32,
            end: mention.end as u32,
            target: mention.target.pack(),
        });
    }
}

/// Turns byte offsets (in increasing order) into file lines and columns, in one pass over
/// the text however many links it holds.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, first_line: usize) -> Cursor<'a> {
        Cursor {
            text,
            offset: 0,
            line: first_line,
            column: 1,
        }
    }

    fn advance_to(&mut self, offset: usize) -> (usize, usize) {
        if offset >= self.offset {
            for c in self.text[self.offset..offset].chars() {
                if c == '\n' {
                    self.line += 1;
                    self.column = 1;
                } else {
                    self.column += 1;
                }
            }
            self.offset = offset;
        }
        (self.line, self.column)
    }
}

/// Renders `body` of the page at `content_path`; `resolve` maps a page path under
/// `content/` to where it leads.
pub fn render(body: &str, content_path: &str, resolve: &Resolve<'_>) -> RenderedMarkdown {
    render_in(body, content_path, resolve, &Layout::default(), None)
}

/// Like `render`, laid out as part of a longer document.
pub fn render_in(
    body: &str,
    content_path: &str,
    resolve: &Resolve<'_>,
    layout: &Layout,
    terms: Option<&TermLinks<'_>>,
) -> RenderedMarkdown {
    // The number of the parser's next text event (as `scan_body` counts them).
    let mut texts = 0u32;
    let mut toc = Vec::new();
    let mut ids = Ids::default();
    let mut plain_text = String::new();
    let mut plain_units = 0;
    let mut sections = Vec::new();
    let mut heading_starts_at = 0;
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>)> = None;
    let mut footnotes = Footnotes::default();

    let mut parser = Parser::new_ext(body, options()).peekable();
    let mut pending: Option<Event> = None;
    loop {
        let (event, text_number) = match pending.take() {
            Some(inserted) => (inserted, None),
            None => match parser.next() {
                Some(event @ Event::Text(_)) => {
                    texts += 1;
                    (event, Some(texts - 1))
                }
                Some(event) => (event, None),
                None => break,
            },
        };
        let label = empty_link_label(&event, content_path, resolve, parser.peek());
        let event = make_safe(event, content_path, resolve, &layout.id_prefix);
        if let Some(label) = label {
            // `[](@/…)`: the link shows its target's short title.
            pending = Some(Event::Text(CowStr::from(label)));
        }
        if let Event::Start(Tag::Heading { .. }) = &event {
            heading_starts_at = plain_units;
        }
        if let Event::Text(text) | Event::Code(text) = &event {
            plain_text.push_str(text);
            plain_units += utf16_len(text);
        }
        if matches!(event, Event::SoftBreak | Event::HardBreak | Event::End(_)) {
            plain_text.push('\n');
            plain_units += 1;
        }
        let event = match footnotes.rewrite(event, &mut ids, &layout.id_prefix) {
            Some(event) => event,
            None => continue,
        };
        if let (Some(terms), Event::Text(text), Some(number)) = (terms, &event, text_number) {
            let linked = link_terms(text, number, terms);
            if !linked.is_empty() {
                events.extend(linked);
                continue;
            }
        }
        // Long lines of code scroll sideways inside their block, which the keyboard can
        // reach (the guide's example output is wider than a phone).
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let class = match &kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|lang| format!(" class=\"language-{}\"", escape_attribute(lang)))
                        .unwrap_or_default(),
                    CodeBlockKind::Indented => String::new(),
                };
                Event::Html(CowStr::from(format!("<pre tabindex=\"0\"><code{class}>")))
            }
            Event::End(TagEnd::CodeBlock) => Event::Html(CowStr::from("</code></pre>\n")),
            other => other,
        };
        // Wide tables scroll sideways inside their own box on a phone instead of squeezing.
        if matches!(event, Event::Start(Tag::Table(_))) {
            events.push(Event::Html(CowStr::from(format!(
                "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">",
                escape_attribute(&layout.labels.table)
            ))));
        }
        let closes_table = matches!(event, Event::End(TagEnd::Table));
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, Vec::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner)) = heading.take() {
                    let title = text_of(&inner);
                    let id = ids.unique(&heading_id(&title));
                    sections.push((heading_starts_at, id.clone()));
                    let level = demoted(level, layout.heading_offset);
                    let id = format!("{}{id}", layout.id_prefix);
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        toc.push(TocEntry {
                            level: level as u8,
                            id: id.clone(),
                            title,
                        });
                    }
                    let anchor = format!(
                        "<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"{}\">#</a>",
                        escape_attribute(&layout.labels.heading_anchor)
                    );
                    events.push(Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(id)),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    }));
                    events.extend(inner);
                    events.push(Event::InlineHtml(CowStr::from(anchor)));
                    events.push(Event::End(TagEnd::Heading(level)));
                }
            }
            other => match &mut heading {
                Some((_, inner)) => inner.push(other),
                None => events.push(other),
            },
        }
        if closes_table {
            events.push(Event::Html(CowStr::from("</div>")));
        }
    }
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, events.into_iter());
    RenderedMarkdown {
        html: html_out,
        toc,
        plain_text,
        anchors: ids.taken(),
        sections,
    }
}

/// `text` (the `number`-th text event) with the terms found in it as links; empty if none.
fn link_terms<'a>(text: &CowStr<'a>, number: u32, terms: &TermLinks<'_>) -> Vec<Event<'a>> {
    // Mentions are in text order: those of this text are one run.
    let first = terms.mentions.partition_point(|m| m.text < number);
    let last = terms.mentions.partition_point(|m| m.text <= number);
    let mut events = Vec::new();
    let mut position = 0;
    for mention in &terms.mentions[first..last] {
        let (start, end) = (mention.start as usize, mention.end as usize);
        let (Some(before), Some(term)) = (slice(text, position, start), slice(text, start, end))
        else {
            continue;
        };
        let Some(open_tag) = (terms.open_tag)(mention.target()) else {
            continue;
        };
        events.push(Event::Text(before));
        events.push(Event::InlineHtml(CowStr::from(open_tag.to_string())));
        events.push(Event::Text(term));
        events.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
        position = end;
    }
    if events.is_empty() {
        return events;
    }
    if let Some(rest) = slice(text, position, text.len()) {
        events.push(Event::Text(rest));
    }
    events
}

/// Bytes `start..end` of `text`, borrowed from the body when the text is.
fn slice<'a>(text: &CowStr<'a>, start: usize, end: usize) -> Option<CowStr<'a>> {
    match text {
        CowStr::Borrowed(whole) => whole.get(start..end).map(CowStr::Borrowed),
        other => other
            .get(start..end)
            .map(|part| CowStr::from(part.to_string())),
    }
}

/// `level` moved down by `offset`, at most to `h6`.
fn demoted(level: HeadingLevel, offset: u8) -> HeadingLevel {
    match (level as u8 + offset).min(6) {
        1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The ids of one page, kept unique.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    order: Vec<String>,
    counters: HashMap<String, usize>,
}

impl Ids {
    /// `base`, or `base-1`, `base-2`, … : the first not taken yet.
    fn unique(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let counter = self.counters.entry(base.to_string()).or_insert(0);
        while self.used.contains(&id) {
            *counter += 1;
            id = format!("{base}-{counter}");
        }
        self.used.insert(id.clone());
        self.order.push(id.clone());
        id
    }

    fn taken(self) -> Vec<String> {
        self.order
    }
}

/// Footnotes with ids of their own (`fn-…`, `fnref-…`), numbered in order of first use.
#[derive(Default)]
struct Footnotes {
    numbers: HashMap<String, usize>,
}

impl Footnotes {
    fn number(&mut self, name: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(name.to_string()).or_insert(next)
    }

    fn rewrite<'a>(&mut self, event: Event<'a>, ids: &mut Ids, prefix: &str) -> Option<Event<'a>> {
        Some(match event {
            Event::FootnoteReference(name) => {
                let n = self.number(&name);
                let id = escape_attribute(&format!("{prefix}fn-{name}"));
                Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-reference\"><a href=\"#{id}\">{n}</a></sup>"
                )))
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let n = self.number(&name);
                let id = ids.unique(&format!("fn-{name}"));
                Event::Html(CowStr::from(format!(
                    "<div class=\"footnote-definition\" id=\"{}\"><sup class=\"footnote-definition-label\">{n}</sup>",
                    escape_attribute(&format!("{prefix}{id}"))
                )))
            }
            Event::End(TagEnd::FootnoteDefinition) => Event::Html(CowStr::from("</div>\n")),
            other => other,
        })
    }
}

pub fn escape_attribute(text: &str) -> String {
    if !text.contains(['&', '"', '<', '>']) {
        return text.to_string();
    }
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The label to insert when `event` opens an internal link whose text is empty.
fn empty_link_label(
    event: &Event,
    content_path: &str,
    resolve: &Resolve<'_>,
    next: Option<&Event>,
) -> Option<String> {
    let Event::Start(Tag::Link { dest_url, .. }) = event else {
        return None;
    };
    if !matches!(next, Some(Event::End(TagEnd::Link))) {
        return None;
    }
    match destination(dest_url, content_path) {
        Destination::Page { path, .. } => resolve(&path).map(|t| t.label),
        _ => None,
    }
}

/// Escapes raw HTML, rewrites page links and neutralises script URLs: content never
/// injects markup.
fn make_safe<'a>(
    event: Event<'a>,
    content_path: &str,
    resolve: &Resolve<'_>,
    prefix: &str,
) -> Event<'a> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url, content_path, resolve, prefix),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url, content_path, resolve, prefix),
            title,
            id,
        }),
        other => other,
    }
}

fn safe_url<'a>(
    url: CowStr<'a>,
    content_path: &str,
    resolve: &Resolve<'_>,
    prefix: &str,
) -> CowStr<'a> {
    match destination(&url, content_path) {
        Destination::Page { path, fragment, .. } => match (resolve(&path), fragment) {
            (
                Some(LinkTarget {
                    id_prefix: Some(target_prefix),
                    ..
                }),
                Some(fragment),
            ) => CowStr::from(format!("#{target_prefix}{fragment}")),
            (Some(target), Some(fragment)) => CowStr::from(format!("{}#{fragment}", target.href)),
            (Some(target), None) => CowStr::from(target.href),
            (None, _) => CowStr::from("#"),
        },
        Destination::Unsafe(_) => CowStr::from("#"),
        Destination::SamePage(fragment) if !prefix.is_empty() => {
            CowStr::from(format!("#{prefix}{fragment}"))
        }
        Destination::SamePage(_) | Destination::Other => url,
    }
}

/// The length of `text` in UTF-16 code units (what the browser's string offsets count),
/// from its bytes: one unit per character (each byte but a continuation byte begins one),
/// two for a character beyond the Basic Multilingual Plane (a 4-byte one). A loop the
/// compiler turns into vector code, where `encode_utf16().count()` decoded every character.
fn utf16_len(text: &str) -> usize {
    text.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

fn text_of(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text.trim().to_string()
}

/// A stable anchor for a heading: letters (including Chinese) and digits kept, the rest `-`.
pub fn heading_id(title: &str) -> String {
    let mut id = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        "section".to_string()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_links(_: &str) -> Option<LinkTarget> {
        None
    }

    fn render_plain(body: &str) -> RenderedMarkdown {
        render(body, "problems/a.md", &no_links)
    }

    #[test]
    fn utf16_length_is_counted_from_the_bytes() {
        for text in [
            "",
            "abc",
            "责任清单",
            "a责😀b",
            "𠀀𠀁",
            "é\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            assert_eq!(utf16_len(text), text.encode_utf16().count(), "{text:?}");
        }
    }

    #[test]
    fn chinese_headings_get_stable_unique_anchors() {
        let out = render_plain("## 表现\n\n## 表现\n\n### 危害（一）\n");
        let ids: Vec<&str> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["表现", "表现-1", "危害-一"]);
        assert!(out.html.contains("<h2 id=\"表现\">"), "{}", out.html);
    }

    #[test]
    fn sections_say_where_each_heading_starts_in_the_plain_text() {
        let out = render_plain("导言。\n\n## 表现\n\n正文。\n\n## 危害𠀀\n\n更多。\n");
        let starts: Vec<(usize, &str)> = out
            .sections
            .iter()
            .map(|(at, id)| (*at, id.as_str()))
            .collect();
        assert_eq!(starts, [(4, "表现"), (11, "危害𠀀")]);
        let units: Vec<u16> = out.plain_text.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[11..13]).unwrap(), "危害");
    }

    #[test]
    fn ids_stay_unique_when_a_heading_looks_like_a_generated_one() {
        let out =
            render_plain("## 表现\n\n## 表现\n\n## 表现-1\n\n## a\n\n脚注[^a]。\n\n[^a]: 注释。\n");
        assert_eq!(out.anchors, ["表现", "表现-1", "表现-1-1", "a", "fn-a"]);
        assert!(out.html.contains("href=\"#fn-a\""), "{}", out.html);
        assert!(out.html.contains("id=\"fn-a\""), "{}", out.html);
    }

    #[test]
    fn links_are_located_in_one_pass() {
        let body = "第一行\n\n见[问责](@/problems/a.md#危害)，又见[案例](../cases/b.md)和[外部](https://example.org)。\n";
        let links = body_links(body, 10, "problems/x.md");
        assert_eq!(
            links
                .iter()
                .map(|l| (l.destination.clone(), l.line, l.column))
                .collect::<Vec<_>>(),
            [
                (
                    Destination::Page {
                        path: "problems/a.md".into(),
                        fragment: Some("危害".into()),
                        relative: false
                    },
                    12,
                    2
                ),
                (
                    Destination::Page {
                        path: "cases/b.md".into(),
                        fragment: None,
                        relative: true
                    },
                    12,
                    29
                ),
            ]
        );
    }

    #[test]
    fn internal_and_relative_links_are_rewritten() {
        let body = "[问责](@/problems/a.md#危害) [同上](a.md)\n";
        let out = render(body, "problems/x.md", &|path| {
            (path == "problems/a.md").then(|| LinkTarget {
                href: "../problems/a.html".into(),
                label: "问责".into(),
                id_prefix: None,
            })
        });
        // pulldown-cmark percent-encodes the fragment; browsers decode it to find id="危害".
        assert!(
            out.html
                .contains("href=\"../problems/a.html#%E5%8D%B1%E5%AE%B3\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<a href=\"../problems/a.html\">同上</a>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn an_empty_internal_link_shows_its_targets_label() {
        let out = render(
            "据[](@/sources/s.md#结构)，又见[别名](@/sources/s.md)。",
            "pages/p.md",
            &|_| {
                Some(LinkTarget {
                    href: "../sources/s.html".into(),
                    label: "《短题》（2025）".into(),
                    id_prefix: None,
                })
            },
        );
        assert!(
            out.html
                .contains(">《短题》（2025）</a>，又见<a href=\"../sources/s.html\">别名</a>"),
            "{}",
            out.html
        );
        assert!(out.plain_text.contains("《短题》（2025）"));
    }

    #[test]
    fn a_body_laid_out_in_a_handout_gets_lower_headings_and_prefixed_ids() {
        let layout = Layout {
            heading_offset: 2,
            id_prefix: "p7-".into(),
            ..Default::default()
        };
        let body =
            "## 表现\n\n见[上文](#表现)、[别页](@/problems/b.md#危害)和注[^a]。\n\n[^a]: 注。\n";
        let out = render_in(
            body,
            "problems/a.md",
            &|_| {
                Some(LinkTarget {
                    href: "#p9".into(),
                    label: "乙".into(),
                    id_prefix: Some("p9-".into()),
                })
            },
            &layout,
            None,
        );
        assert!(out.html.contains("<h4 id=\"p7-表现\">"), "{}", out.html);
        assert!(
            out.html.contains("href=\"#p7-%E8%A1%A8%E7%8E%B0\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"#p9-%E5%8D%B1%E5%AE%B3\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("id=\"p7-fn-a\"") && out.html.contains("href=\"#p7-fn-a\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn glossary_terms_are_linked_at_their_first_mention_only_in_running_text() {
        use crate::terms::{Glossary, TermTarget};
        let glossary = Glossary::new(
            vec![
                ("一岗双责".into(), TermTarget::Page(1)),
                ("问责".into(), TermTarget::Page(2)),
            ],
            &[],
        );
        let open_tag = |t: TermTarget| match t {
            TermTarget::Page(1) => {
                Some("<a class=\"term\" href=\"../r/dual.html\" data-term=\"1\">")
            }
            TermTarget::Page(2) => Some("<a class=\"term\" href=\"../c/a.html\" data-term=\"2\">"),
            _ => None,
        };
        let body =
            "## 一岗双责\n\n落实一岗双责，再讲一岗双责。[问责](@/x/y.md)之后，`问责` 与问责。\n";
        let scan = TermScan {
            glossary: &glossary,
            own: 0,
        };
        let mentions = scan_body(body, 1, "p/a.md", Some(&scan)).mentions;
        let terms = TermLinks {
            mentions: &mentions,
            open_tag: &open_tag,
        };
        let out = render_in(body, "p/a.md", &no_links, &Layout::default(), Some(&terms));
        assert_eq!(
            out.html.matches("class=\"term\"").count(),
            2,
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h2 id=\"一岗双责\">一岗双责<a"),
            "heading linked: {}",
            out.html
        );
        assert!(out.html.contains("落实<a class=\"term\" href=\"../r/dual.html\" data-term=\"1\">一岗双责</a>，再讲一岗双责"), "{}", out.html);
        assert!(
            out.html
                .contains("<code>问责</code> 与<a class=\"term\" href=\"../c/a.html\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn raw_html_and_script_urls_are_neutralised() {
        let out = render_plain("<script>alert(1)</script>\n\n[x](javascript:alert(1))\n");
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"));
        assert!(out.html.contains("href=\"#\""));
        let links = body_links("[x](JavaScript:alert(1))", 1, "p/a.md");
        assert!(matches!(links[0].destination, Destination::Unsafe(_)));
    }

    #[test]
    fn columns_of_many_links_on_one_line_are_exact() {
        let body = "[a](@/p/a.md)，".repeat(1_000);
        let links = body_links(&body, 1, "p/x.md");
        assert_eq!(links.len(), 1_000);
        assert_eq!(links[999].column, 999 * 14 + 1);
    }
}
