//! Linking: checks every reference between pages and computes what depends on it.
//!
//! Takes the parsed pages and returns a `Site` in which every typed reference (level, tags,
//! responsibilities, problems, countermeasures, related, sources) and every `@/` link in a
//! body is resolved to a page index, with back-links and tag membership computed once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::config::SiteConfig;
use crate::content::{Kind, Page};
use crate::diagnostics::{closest_match, Diagnostic};
use crate::markdown;

/// The whole knowledge base, checked and cross-linked: what the renderer works from.
#[derive(Debug)]
pub struct Site {
    pub config: SiteConfig,
    /// Sorted by kind, then `order`, then slug: the reading order.
    pub pages: Vec<Page>,
    /// Per page: resolved typed references, as (field, target page indices).
    pub references: Vec<Vec<(&'static str, Vec<usize>)>>,
    /// Per page: pages that reference it or link to it, sorted.
    pub backlinks: Vec<Vec<usize>>,
    /// Tag slug → pages carrying it, in reading order; every configured tag has an entry.
    pub tags: BTreeMap<String, Vec<usize>>,
    /// Path under `content/` → page index, for `@/` links.
    pub by_content_path: HashMap<String, usize>,
}

impl Site {
    pub fn pages_of(&self, kind: Kind) -> impl Iterator<Item = (usize, &Page)> {
        self.pages
            .iter()
            .enumerate()
            .filter(move |(_, p)| p.kind == kind)
    }
}

/// Files that exist but failed to parse: references to them are not reported again, since
/// the parse error already says what to fix.
#[derive(Debug, Default)]
pub struct Unparsed {
    /// (kind, slug from the file name)
    pub slugs: HashSet<(Kind, String)>,
    /// paths under `content/`
    pub content_paths: HashSet<String>,
}

/// Resolves every reference, reporting each broken one (errors) and each orphan (warnings).
pub fn link(
    config: SiteConfig,
    mut pages: Vec<Page>,
    unparsed: &Unparsed,
    diagnostics: &mut Vec<Diagnostic>,
) -> Site {
    pages.sort_by(|a, b| {
        (a.kind, a.meta.order.unwrap_or(i64::MAX), &a.slug, &a.file).cmp(&(
            b.kind,
            b.meta.order.unwrap_or(i64::MAX),
            &b.slug,
            &b.file,
        ))
    });
    check_duplicate_slugs(&pages, diagnostics);
    let by_slug: HashMap<(Kind, &str), usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.kind, p.slug.as_str()), i))
        .collect();
    let by_content_path: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.content_path.clone(), i))
        .collect();

    let mut references = Vec::with_capacity(pages.len());
    let mut incoming: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); pages.len()];
    let mut links_out = vec![false; pages.len()];
    for (index, page) in pages.iter().enumerate() {
        check_level_and_tags(&config, page, diagnostics);
        diagnostics.extend(crate::citations::bare_source_numbers(page));
        let mut resolved = Vec::new();
        for (field, target_kind, slugs) in page.references() {
            let mut targets = Vec::new();
            for slug in slugs {
                match by_slug.get(&(target_kind, slug.as_str())) {
                    Some(&target) => {
                        targets.push(target);
                        if target != index {
                            incoming[target].insert(index);
                            links_out[index] = true;
                        }
                    }
                    None if unparsed.slugs.contains(&(target_kind, slug.clone())) => {}
                    None => {
                        diagnostics.push(unknown_reference(&pages, page, field, target_kind, slug))
                    }
                }
            }
            if !targets.is_empty() {
                resolved.push((field, targets));
            }
        }
        references.push(resolved);
        for link in markdown::internal_links(&page.body, page.body_first_line) {
            match by_content_path.get(&link.target) {
                Some(&target) => {
                    if let Some(d) = crate::citations::unlisted_source(page, &pages[target], &link)
                    {
                        diagnostics.push(d);
                    }
                    if target != index {
                        incoming[target].insert(index);
                        links_out[index] = true;
                    }
                }
                None if unparsed.content_paths.contains(&link.target) => {}
                None => {
                    let known = by_content_path.keys().map(String::as_str);
                    let d = Diagnostic::error(
                        &page.file,
                        format!("broken link `@/{}`: no such page", link.target),
                    )
                    .at(link.line, link.column);
                    diagnostics.push(match closest_match(&link.target, known) {
                        Some(best) => d.with_hint(format!("did you mean `@/{best}`?")),
                        None => d.with_hint(
                            "links name a file under content/, e.g. `@/problems/example.md`",
                        ),
                    });
                }
            }
        }
    }

    let mut tags: BTreeMap<String, Vec<usize>> = config
        .tags
        .iter()
        .map(|t| (t.slug.clone(), Vec::new()))
        .collect();
    for (index, page) in pages.iter().enumerate() {
        for tag in &page.meta.tags {
            if let Some(members) = tags.get_mut(tag) {
                if !members.contains(&index) {
                    members.push(index);
                }
            }
        }
    }
    let config_file = std::path::Path::new("content").join(crate::config::CONFIG_FILE);
    for (slug, members) in &tags {
        if members.is_empty() {
            diagnostics.push(
                Diagnostic::warning(&config_file, format!("tag `{slug}` is used by no page"))
                    .with_hint("tag it on some pages or remove it from the vocabulary"),
            );
        }
    }
    for (index, page) in pages.iter().enumerate() {
        // A page that names others is reachable through their back-links.
        if incoming[index].is_empty() && !links_out[index] && !matches!(page.kind, Kind::Page) {
            diagnostics.push(
                Diagnostic::warning(
                    &page.file,
                    "orphan page: it names no other page and none names it",
                )
                .with_hint("reference it from a related page so readers can find it"),
            );
        }
    }

    Site {
        config,
        pages,
        references,
        backlinks: incoming
            .into_iter()
            .map(|s| s.into_iter().collect())
            .collect(),
        tags,
        by_content_path,
    }
}

fn check_duplicate_slugs(pages: &[Page], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(Kind, &str), &Page> = HashMap::new();
    for page in pages {
        if let Some(first) = seen.insert((page.kind, page.slug.as_str()), page) {
            let line = page.line_of("slug:").unwrap_or(1);
            diagnostics.push(
                Diagnostic::error(
                    &page.file,
                    format!(
                        "duplicate slug `{}`: {} would be written to the same URL",
                        page.slug,
                        first.file.display()
                    ),
                )
                .at_line(line)
                .with_hint("give one of them another file name or a `slug:` of its own"),
            );
        }
    }
}

fn check_level_and_tags(config: &SiteConfig, page: &Page, diagnostics: &mut Vec<Diagnostic>) {
    if let Some(level) = &page.meta.level {
        if config.level(level).is_none() {
            let line = page
                .line_of("level:")
                .unwrap_or(page.front_matter_first_line);
            let by_name = config.levels.iter().find(|l| &l.name == level);
            let d = Diagnostic::error(&page.file, format!("unknown level `{level}`")).at_line(line);
            diagnostics.push(match by_name {
                Some(l) => d.with_hint(format!(
                    "levels are named by slug: use `{}` for {}",
                    l.slug, l.name
                )),
                None => d.suggesting(level, config.levels.iter().map(|l| l.slug.as_str())),
            });
        }
    }
    for tag in &page.meta.tags {
        if config.tag(tag).is_none() {
            let line = page.line_of(tag).unwrap_or(page.front_matter_first_line);
            let by_name = config.tags.iter().find(|t| &t.name == tag);
            let d = Diagnostic::error(&page.file, format!("unknown tag `{tag}`")).at_line(line);
            diagnostics.push(match by_name {
                Some(t) => d.with_hint(format!(
                    "tags are named by slug: use `{}` for {}",
                    t.slug, t.name
                )),
                None => d
                    .suggesting(tag, config.tags.iter().map(|t| t.slug.as_str()))
                    .with_hint_if_none("declare it under `tags:` in content/site.yaml"),
            });
        }
    }
}

fn unknown_reference(
    pages: &[Page],
    page: &Page,
    field: &str,
    target_kind: Kind,
    slug: &str,
) -> Diagnostic {
    let line = page.line_of(slug).unwrap_or(page.front_matter_first_line);
    let d = Diagnostic::error(
        &page.file,
        format!(
            "`{field}` names `{slug}`, but there is no {} page with that slug",
            target_kind.slug()
        ),
    )
    .at_line(line);
    let candidates: Vec<&Page> = pages.iter().filter(|p| p.kind == target_kind).collect();
    // Authors often write the title or an alias instead of the slug.
    if let Some(p) = candidates
        .iter()
        .find(|p| p.meta.title == slug || p.meta.aliases.iter().any(|a| a == slug))
    {
        return d.with_hint(format!(
            "references use slugs: `{}` is the slug of {}",
            p.slug, p.meta.title
        ));
    }
    let names = candidates.iter().flat_map(|p| {
        std::iter::once(p.slug.as_str()).chain(std::iter::once(p.meta.title.as_str()))
    });
    match closest_match(slug, names) {
        Some(best) => {
            let target = candidates
                .iter()
                .find(|p| p.slug == best || p.meta.title == best);
            match target {
                Some(p) => d.with_hint(format!("did you mean `{}` ({})?", p.slug, p.meta.title)),
                None => d,
            }
        }
        None => d,
    }
}
