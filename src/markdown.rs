//! Markdown → HTML: `@/` links rewritten, heading anchors, a table of contents, raw HTML escaped.
//!
//! Two entry points: `internal_links` lists the `@/kind/file.md` links of a body with their
//! file positions (for checking before anything is rendered), and `render` turns a body into
//! HTML once every link target is known.

use std::collections::HashMap;

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// The prefix of a link to another page of the knowledge base, by its path under `content/`.
pub const INTERNAL_LINK_PREFIX: &str = "@/";

/// An `@/` link as written in a page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    /// The path under `content/`, e.g. `problems/a.md`.
    pub target: String,
    /// 1-based file line and column of the link.
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
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Every `@/` link of `body`, which starts at file line `first_line`.
pub fn internal_links(body: &str, first_line: usize) -> Vec<InternalLink> {
    let mut links = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        if let Some(path) = dest.strip_prefix(INTERNAL_LINK_PREFIX) {
            let before = &body[..range.start];
            let line = first_line + before.matches('\n').count();
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            links.push(InternalLink {
                target: path.split('#').next().unwrap_or_default().to_string(),
                line,
                column,
            });
        }
    }
    links
}

/// Where an `@/` link leads: the relative URL, and the text an empty link shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub href: String,
    /// The target's short title (or title): `[](@/sources/x.md)` shows it.
    pub label: String,
}

/// Maps an `@/` target (path under `content/`) to where it leads.
pub type Resolve<'a> = dyn Fn(&str) -> Option<LinkTarget> + 'a;

/// Renders `body`; `resolve` maps an `@/` target (path under `content/`) to a relative URL.
pub fn render(body: &str, resolve: &Resolve<'_>) -> RenderedMarkdown {
    let mut toc = Vec::new();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    let mut plain_text = String::new();
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>)> = None;

    let mut parser = Parser::new_ext(body, options()).peekable();
    let mut pending: Option<Event> = None;
    while let Some(event) = pending.take().or_else(|| parser.next()) {
        let label = empty_link_label(&event, resolve, parser.peek());
        let event = make_safe(event, resolve);
        if let Some(label) = label {
            // `[](@/…)`: the link shows its target's short title.
            pending = Some(Event::Text(CowStr::from(label)));
        }
        if let Event::Text(text) | Event::Code(text) = &event {
            plain_text.push_str(text);
        }
        if matches!(event, Event::SoftBreak | Event::HardBreak | Event::End(_)) {
            plain_text.push('\n');
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, Vec::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner)) = heading.take() {
                    let title = text_of(&inner);
                    let id = unique_id(&heading_id(&title), &mut used_ids);
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        toc.push(TocEntry {
                            level: level as u8,
                            id: id.clone(),
                            title,
                        });
                    }
                    let anchor = format!(
                        "<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"本节链接\">#</a>"
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
    }
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, events.into_iter());
    RenderedMarkdown {
        html: html_out,
        toc,
        plain_text,
    }
}

/// The label to insert when `event` opens an `@/` link whose text is empty.
fn empty_link_label(event: &Event, resolve: &Resolve<'_>, next: Option<&Event>) -> Option<String> {
    let Event::Start(Tag::Link { dest_url, .. }) = event else {
        return None;
    };
    if !matches!(next, Some(Event::End(TagEnd::Link))) {
        return None;
    }
    let path = dest_url.strip_prefix(INTERNAL_LINK_PREFIX)?;
    let target = path.split('#').next().unwrap_or_default();
    resolve(target).map(|t| t.label)
}

/// Escapes raw HTML, rewrites `@/` links and neutralises script URLs: content never injects markup.
fn make_safe<'a>(event: Event<'a>, resolve: &Resolve<'_>) -> Event<'a> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url, resolve),
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
            dest_url: safe_url(dest_url, resolve),
            title,
            id,
        }),
        other => other,
    }
}

fn safe_url<'a>(url: CowStr<'a>, resolve: &Resolve<'_>) -> CowStr<'a> {
    if let Some(path) = url.strip_prefix(INTERNAL_LINK_PREFIX) {
        let (target, fragment) = match path.split_once('#') {
            Some((target, fragment)) => (target, Some(fragment)),
            None => (path, None),
        };
        return match (resolve(target).map(|t| t.href), fragment) {
            (Some(href), Some(fragment)) => CowStr::from(format!("{href}#{fragment}")),
            (Some(href), None) => CowStr::from(href),
            (None, _) => CowStr::from("#"),
        };
    }
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if url.contains(':') && matches!(scheme.trim(), "javascript" | "vbscript" | "data") {
        return CowStr::from("#");
    }
    url
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

fn unique_id(base: &str, used: &mut HashMap<String, usize>) -> String {
    let count = used.entry(base.to_string()).or_insert(0);
    *count += 1;
    if *count == 1 {
        base.to_string()
    } else {
        format!("{base}-{}", *count - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_links(_: &str) -> Option<LinkTarget> {
        None
    }

    #[test]
    fn chinese_headings_get_stable_unique_anchors() {
        let out = render("## 表现\n\n## 表现\n\n### 危害（一）\n", &no_links);
        let ids: Vec<&str> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["表现", "表现-1", "危害-一"]);
        assert!(out.html.contains("<h2 id=\"表现\">"), "{}", out.html);
    }

    #[test]
    fn internal_links_are_rewritten_and_located() {
        let body = "第一行\n\n见[问责](@/problems/a.md#危害)。\n";
        let links = internal_links(body, 10);
        assert_eq!(
            links,
            vec![InternalLink {
                target: "problems/a.md".into(),
                line: 12,
                column: 2
            }]
        );
        let out = render(body, &|path| {
            (path == "problems/a.md").then(|| LinkTarget {
                href: "../problems/a.html".into(),
                label: "问责".into(),
            })
        });
        // pulldown-cmark percent-encodes the fragment; browsers decode it to find id="危害".
        assert!(
            out.html
                .contains("href=\"../problems/a.html#%E5%8D%B1%E5%AE%B3\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn an_empty_internal_link_shows_its_targets_label() {
        let out = render(
            "据[](@/sources/s.md#结构)，又见[别名](@/sources/s.md)。",
            &|_| {
                Some(LinkTarget {
                    href: "../sources/s.html".into(),
                    label: "《短题》（2025）".into(),
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
    fn raw_html_and_script_urls_are_neutralised() {
        let out = render(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n",
            &no_links,
        );
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"));
        assert!(out.html.contains("href=\"#\""));
    }
}
