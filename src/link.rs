//! Linking: checks every reference between pages and builds the `Site`.
//!
//! Takes the parsed pages and returns the site in which every typed reference (level,
//! tags, and the reference fields of the schema) and every link in a body (`@/…`, and
//! relative `….md` links, which newcomers write first) is resolved to a page, with
//! back-links and tag membership computed once. Broken references are errors at their
//! exact file position; orphans and unsafe link targets are warnings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use crate::citations;
use crate::config::{SiteConfig, CONFIG_FILE};
use crate::content::{Asset, Kind, Page};
use crate::diagnostics::{closest_match, Diagnostic};
use crate::markdown::{self, Destination};
use crate::placeholders;
use crate::site::{BodyLink, PageId, PageRecord, Site};
use crate::terms::{Glossary, TermTarget, TERM_KINDS};
use crate::theme::Theme;

/// Files that exist but could not be read or parsed: references to them are not reported
/// again, since their own error already says what to fix.
#[derive(Debug, Default)]
pub struct Unparsed {
    /// (kind, slug from the file name)
    pub slugs: HashSet<(Kind, String)>,
    /// paths under `content/`
    pub content_paths: HashSet<String>,
    /// Pages that were read but have problems of their own (paths under `content/`): they
    /// are linked, but not also called orphans.
    pub damaged: HashSet<String>,
}

impl Unparsed {
    pub fn add(&mut self, kind: Kind, content_path: &str) {
        let stem = content_path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".md");
        self.slugs.insert((kind, stem.to_string()));
        self.content_paths.insert(content_path.to_string());
    }
}

/// Resolves every reference, reporting each broken one (errors) and each orphan (warnings).
/// A page whose body the model does not hold (a build's) is read again from its file under
/// `root`, one at a time (see `Page::body_text`).
pub fn link(
    config: SiteConfig,
    mut pages: Vec<Page>,
    unparsed: &Unparsed,
    theme: Theme,
    assets: Vec<Asset>,
    root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Site {
    pages.sort_by(|a, b| reading_key(a).cmp(&reading_key(b)));
    check_duplicate_slugs(&pages, diagnostics);
    let by_content_path: HashMap<String, PageId> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.content_path.clone(), i))
        .collect();
    let glossary = glossary(&config, &pages);
    let checked: Vec<(Links, Vec<Diagnostic>)> = {
        let by_slug: HashMap<(Kind, &str), PageId> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.kind, p.slug.as_str()), i))
            .collect();
        let linker = Linker {
            config: &config,
            glossary: config.autolink.then_some(&glossary),
            pages: &pages,
            by_slug: &by_slug,
            by_content_path: &by_content_path,
            unparsed,
        };
        // Each page's references are checked on their own: in parallel, in page order.
        pages
            .par_iter()
            .enumerate()
            .map(|(id, page)| match page.body_text(root) {
                Ok(body) => linker.check(id, page, &body),
                Err(problem) => (Links::default(), vec![problem]),
            })
            .collect()
    };
    // The pages move into their records: a large site is never held twice.
    let mut records: Vec<PageRecord> = Vec::with_capacity(pages.len());
    for (page, (links, problems)) in pages.into_iter().zip(checked) {
        diagnostics.extend(problems);
        records.push(links.into_record(page));
    }
    compute_backlinks(&mut records);
    // With pages that failed to parse, "unused" and "orphan" would be guesses.
    let complete = unparsed.content_paths.is_empty();
    let tags = tag_members(&config, &records, complete, diagnostics);
    if complete {
        warn_orphans(&records, &unparsed.damaged, diagnostics);
    }
    let synonyms = resolve_synonyms(&config, &records, &by_content_path, diagnostics);
    compute_term_backlinks(&mut records);
    let by_kind = Kind::ALL
        .iter()
        .map(|kind| {
            (0..records.len())
                .filter(|&i| records[i].page.kind == *kind)
                .collect()
        })
        .collect();
    Site {
        config,
        pages: records,
        tags,
        by_content_path,
        by_kind,
        synonyms,
        glossary,
        updated: HashMap::new(),
        theme,
        assets,
        root: root.to_path_buf(),
    }
}

/// Every title and alias of the term kinds, and every tag name.
fn glossary(config: &SiteConfig, pages: &[Page]) -> Glossary {
    let mut terms = Vec::new();
    for (id, page) in pages.iter().enumerate() {
        if TERM_KINDS.contains(&page.kind) {
            let meta = &page.meta;
            for term in std::iter::once(&meta.title).chain(&meta.aliases) {
                terms.push((term.clone(), TermTarget::Page(id)));
            }
        }
    }
    for (i, tag) in config.tags.iter().enumerate() {
        terms.push((tag.name.clone(), TermTarget::Tag(i)));
    }
    Glossary::new(terms, &config.autolink_exclude)
}

/// For each page, the pages whose text links its terms.
fn compute_term_backlinks(records: &mut [PageRecord]) {
    let mut backlinks: Vec<Vec<PageId>> = vec![Vec::new(); records.len()];
    for (id, record) in records.iter().enumerate() {
        for target in term_pages(&record.term_mentions) {
            backlinks[target].push(id);
        }
    }
    for (record, sources) in records.iter_mut().zip(backlinks) {
        record.term_backlinks = sources;
    }
}

/// The page's body scanned: its links and, where the glossary links terms on the page, where
/// it mentions them first.
pub fn scan(
    glossary: Option<&Glossary>,
    id: PageId,
    page: &Page,
    body: &str,
) -> markdown::BodyScan {
    let terms = glossary
        .filter(|_| page.meta.autolink != Some(false))
        .map(|glossary| markdown::TermScan { glossary, own: id });
    markdown::scan_body(
        body,
        page.body_first_line,
        &page.content_path,
        terms.as_ref(),
    )
}

/// The term pages that `mentions` link, sorted.
pub fn term_pages(mentions: &[markdown::TermMention]) -> Vec<PageId> {
    let mut pages: Vec<PageId> = mentions
        .iter()
        .filter_map(|m| match m.target() {
            TermTarget::Page(target) => Some(target),
            TermTarget::Tag(_) => None,
        })
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

/// The sources a page's questions come from, as a reference field (what the page shows).
fn quiz_targets(
    by_slug: &HashMap<(Kind, &str), PageId>,
    page: &Page,
) -> Option<(&'static crate::content::Field, Vec<PageId>)> {
    let mut targets: Vec<PageId> = page
        .meta
        .quiz
        .iter()
        .filter_map(|q| by_slug.get(&(Kind::Source, q.source.as_str())).copied())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let field = crate::content::schema::field("quiz")?;
    (!targets.is_empty()).then_some((field, targets))
}

/// Each question names the source its answer comes from: it must exist, and the page
/// should list it.
fn quiz_sources(by_slug: &HashMap<(Kind, &str), PageId>, page: &Page) -> Vec<Diagnostic> {
    let quiz = &page.meta.quiz;
    let mut problems = Vec::new();
    if quiz.is_empty() {
        return problems;
    }
    let sources: Vec<&str> = by_slug
        .keys()
        .filter(|(kind, _)| *kind == Kind::Source)
        .map(|(_, slug)| *slug)
        .collect();
    for question in quiz {
        let i = question.at;
        let at = page.position_of(&format!("quiz.{i}.source"));
        if !by_slug.contains_key(&(Kind::Source, question.source.as_str())) {
            problems.push(
                Diagnostic::error(
                    &page.file,
                    format!("question {} names the source `{}`, but there is no source page with that slug", i + 1, question.source),
                )
                .at(at.line, at.column)
                .suggesting(&question.source, sources.iter().copied()),
            );
        } else if !page.meta.sources.contains(&question.source) {
            problems.push(
                Diagnostic::warning(
                    &page.file,
                    format!(
                        "question {} comes from `{}`, which `sources:` does not list",
                        i + 1,
                        question.source
                    ),
                )
                .at(at.line, at.column)
                .with_hint(format!("add `{}` to `sources:`", question.source)),
            );
        }
    }
    problems
}

/// The synonym groups of `site.yaml` with `@/…` entries replaced by the page's title and
/// aliases; an entry naming no page is an error.
fn resolve_synonyms(
    config: &SiteConfig,
    records: &[PageRecord],
    by_content_path: &HashMap<String, PageId>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Vec<String>> {
    let config_file = Path::new("content").join(CONFIG_FILE);
    let mut groups = Vec::new();
    for group in &config.synonyms {
        let mut terms: Vec<String> = Vec::new();
        for (term, at) in &group.terms {
            match term.strip_prefix(markdown::INTERNAL_LINK_PREFIX) {
                Some(path) => match by_content_path.get(path) {
                    Some(&id) => {
                        let meta = &records[id].page.meta;
                        terms.push(meta.title.clone());
                        terms.extend(meta.aliases.iter().cloned());
                    }
                    None => {
                        let d = Diagnostic::error(
                            &config_file,
                            format!("synonym `{term}` names no page"),
                        )
                        .at(at.line, at.column);
                        let known = by_content_path.keys().map(String::as_str);
                        diagnostics.push(match closest_match(path, known) {
                            Some(best) => d.with_hint(format!("did you mean `@/{best}`?")),
                            None => d.with_hint(
                                "name a page file under content/, e.g. `@/problems/example.md`",
                            ),
                        });
                    }
                },
                None => terms.push(term.clone()),
            }
        }
        terms.dedup();
        groups.push(terms);
    }
    groups
}

/// The reading order: kind, then `order`, then slug (then file, for a stable tie-break).
pub fn reading_key(page: &Page) -> (Kind, i64, &str, &Path) {
    (
        page.kind,
        page.meta.order.unwrap_or(i64::MAX),
        &page.slug,
        &page.file,
    )
}

/// What checking one page's references and links resolves, before it joins the page in
/// its `PageRecord`.
#[derive(Default)]
struct Links {
    references: Vec<(&'static crate::content::Field, Vec<PageId>)>,
    links: Vec<BodyLink>,
    local_anchors: Vec<(String, usize, usize)>,
    term_mentions: Vec<markdown::TermMention>,
}

impl Links {
    fn into_record(self, page: Page) -> PageRecord {
        PageRecord {
            references: self.references,
            links: self.links,
            local_anchors: self.local_anchors,
            term_mentions: self.term_mentions,
            ..PageRecord::new(page)
        }
    }
}

struct Linker<'a> {
    config: &'a SiteConfig,
    /// The glossary, when terms are linked at all.
    glossary: Option<&'a Glossary>,
    pages: &'a [Page],
    by_slug: &'a HashMap<(Kind, &'a str), PageId>,
    by_content_path: &'a HashMap<String, PageId>,
    unparsed: &'a Unparsed,
}

impl Linker<'_> {
    /// A page with its references resolved, and every problem with them.
    fn check(&self, id: PageId, page: &Page, body: &str) -> (Links, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut record = Links::default();
        self.check_level_and_tags(page, &mut diagnostics);
        record.references = self.references(page, &mut diagnostics);
        if let Some(units) = self.unit_pages(page, &mut diagnostics) {
            record.references.push(units);
        }
        let scan = scan(self.glossary, id, page, body);
        (record.links, record.local_anchors) = self.body_links(page, scan.links, &mut diagnostics);
        record.term_mentions = scan.mentions;
        diagnostics.extend(citations::bare_source_numbers(page, body));
        diagnostics.extend(placeholders::left_in(page, body));
        diagnostics.extend(quiz_sources(self.by_slug, page));
        if let Some(quiz) = quiz_targets(self.by_slug, page) {
            record.references.push(quiz);
        }
        for link in &record.links {
            diagnostics.extend(citations::unlisted_source(
                page,
                &self.pages[link.target],
                link,
            ));
        }
        (record, diagnostics)
    }

    fn references(
        &self,
        page: &Page,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<(&'static crate::content::Field, Vec<PageId>)> {
        let mut resolved = Vec::new();
        for (field, target_kind, slugs) in page.references() {
            let mut targets = Vec::new();
            for (i, slug) in slugs.iter().enumerate() {
                match self.by_slug.get(&(target_kind, *slug)) {
                    Some(&target) => {
                        if !targets.contains(&target) {
                            targets.push(target);
                        }
                    }
                    None if self
                        .unparsed
                        .slugs
                        .contains(&(target_kind, slug.to_string())) => {}
                    None => diagnostics.push(self.unknown_reference(
                        page,
                        &format!("{}.{i}", field.name),
                        field.name,
                        target_kind,
                        slug,
                    )),
                }
            }
            if !targets.is_empty() {
                resolved.push((field, targets));
            }
        }
        resolved
    }

    /// The pages a course's units cover (`folder/slug`), each checked; and the time plan.
    fn unit_pages(
        &self,
        page: &Page,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<(&'static crate::content::Field, Vec<PageId>)> {
        let field = crate::content::schema::field("units")?;
        if page.meta.units.is_empty() {
            return None;
        }
        let mut targets = Vec::new();
        for unit in &page.meta.units {
            let i = unit.at;
            for (j, written) in unit.pages.iter().enumerate() {
                let at = page.position_of(&format!("units.{i}.pages.{j}"));
                let target = written
                    .trim_end_matches(".md")
                    .trim_start_matches(markdown::INTERNAL_LINK_PREFIX)
                    .split_once('/')
                    .and_then(|(folder, slug)| {
                        let kind = self.config.kinds.iter().find(|k| k.folder == folder)?;
                        let kind = Kind::from_slug(&kind.slug)?;
                        Some((kind, slug))
                    });
                match target.and_then(|(kind, slug)| self.by_slug.get(&(kind, slug)).copied()) {
                    Some(id) => {
                        if !targets.contains(&id) {
                            targets.push(id);
                        }
                    }
                    None if target.is_some_and(|(kind, slug)| {
                        self.unparsed.slugs.contains(&(kind, slug.to_string()))
                    }) => {}
                    None => {
                        let known: Vec<String> = self
                            .pages
                            .iter()
                            .filter_map(|p| {
                                self.config
                                    .kind_config(p.kind)
                                    .map(|k| format!("{}/{}", k.folder, p.slug))
                            })
                            .collect();
                        let d = Diagnostic::error(
                            &page.file,
                            format!(
                                "the unit `{}` names `{written}`, but there is no such page",
                                unit.title
                            ),
                        )
                        .at(at.line, at.column);
                        diagnostics.push(match closest_match(written, known.iter().map(String::as_str)) {
                            Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                            None => d.with_hint("name pages as folder/slug, e.g. `problems/formalistic-implementation`"),
                        });
                    }
                }
            }
        }
        self.check_time_plan(page, diagnostics);
        Some((field, targets))
    }

    /// A course whose units all give minutes should add up to its 学时.
    fn check_time_plan(&self, page: &Page, diagnostics: &mut Vec<Diagnostic>) {
        let (Some(duration), Some(planned)) = (
            page.meta.duration,
            page.meta
                .units
                .iter()
                .map(|u| u.minutes)
                .sum::<Option<u32>>(),
        ) else {
            return;
        };
        let expected = duration * f64::from(self.config.period_minutes);
        if (f64::from(planned) - expected).abs() >= 1.0 {
            let at = page.position_of("duration");
            diagnostics.push(
                Diagnostic::warning(
                    &page.file,
                    format!(
                        "the units plan {planned} minutes, but {duration} 学时 are {expected} minutes"
                    ),
                )
                .at(at.line, at.column)
                .with_hint(format!(
                    "change the units' `minutes` or the `duration` (one 学时 is {} minutes; `period_minutes` in site.yaml)",
                    self.config.period_minutes
                )),
            );
        }
    }

    /// Links to other pages, and `#anchor` links to places on this page.
    #[allow(clippy::type_complexity)]
    fn body_links(
        &self,
        page: &Page,
        raw_links: Vec<markdown::RawLink>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Vec<BodyLink>, Vec<(String, usize, usize)>) {
        let mut links = Vec::new();
        let mut local = Vec::new();
        for raw in raw_links {
            let at = |d: Diagnostic| d.at(raw.line, raw.column);
            match raw.destination {
                Destination::Page {
                    path,
                    fragment,
                    relative,
                } => match self.by_content_path.get(&path) {
                    Some(&target) => links.push(BodyLink {
                        target,
                        fragment,
                        line: raw.line,
                        column: raw.column,
                    }),
                    None if self.unparsed.content_paths.contains(&path) => {}
                    None => {
                        let shown = if relative { raw.written.clone() } else { format!("@/{path}") };
                        let d = at(Diagnostic::error(
                            &page.file,
                            format!("broken link `{shown}`: no such page"),
                        ));
                        let known = self.by_content_path.keys().map(String::as_str);
                        diagnostics.push(match closest_match(&path, known) {
                            Some(best) => d.with_hint(format!("did you mean `@/{best}`?")),
                            None => d.with_hint(
                                "links name a file under content/, e.g. `@/problems/example.md`",
                            ),
                        });
                    }
                },
                Destination::Unsafe(url) => diagnostics.push(
                    at(Diagnostic::warning(
                        &page.file,
                        format!("link to `{url}` removed: script and data URLs are not allowed"),
                    ))
                    .with_hint("link to a page with `@/folder/file.md`, or to a web address starting with https://"),
                ),
                Destination::SamePage(fragment) => local.push((fragment, raw.line, raw.column)),
                Destination::Other => {}
            }
        }
        (links, local)
    }

    fn check_level_and_tags(&self, page: &Page, diagnostics: &mut Vec<Diagnostic>) {
        let config = self.config;
        if let Some(level) = &page.meta.level {
            if config.level(level).is_none() {
                let at = page.position_of("level");
                let by_name = config.levels.iter().find(|l| &l.name == level);
                let d = Diagnostic::error(&page.file, format!("unknown level `{level}`"))
                    .at(at.line, at.column);
                diagnostics.push(match by_name {
                    Some(l) => d.with_hint(format!(
                        "levels are named by slug: use `{}` for {}",
                        l.slug, l.name
                    )),
                    None => d.suggesting(level, config.levels.iter().map(|l| l.slug.as_str())),
                });
            }
        }
        for (i, tag) in page.meta.tags.iter().enumerate() {
            if config.tag(tag).is_none() {
                let at = page.position_of(&format!("tags.{i}"));
                let by_name = config.tags.iter().find(|t| &t.name == tag);
                let d = Diagnostic::error(&page.file, format!("unknown tag `{tag}`"))
                    .at(at.line, at.column);
                diagnostics.push(match by_name {
                    Some(t) => d.with_hint(format!(
                        "tags are named by slug: use `{}` for {}",
                        t.slug, t.name
                    )),
                    None => d
                        .suggesting(tag, config.tags.iter().map(|t| t.slug.as_str()))
                        .with_hint_if_none(format!(
                            "declare it under `tags:` in content/{CONFIG_FILE}"
                        )),
                });
            }
        }
    }

    fn unknown_reference(
        &self,
        page: &Page,
        path: &str,
        field: &str,
        target_kind: Kind,
        slug: &str,
    ) -> Diagnostic {
        let at = page.position_of(path);
        let d = Diagnostic::error(
            &page.file,
            format!(
                "`{field}` names `{slug}`, but there is no {} page with that slug",
                target_kind.slug()
            ),
        )
        .at(at.line, at.column);
        let candidates: Vec<&Page> = self
            .pages
            .iter()
            .filter(|p| p.kind == target_kind)
            .collect();
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
        let names = candidates
            .iter()
            .flat_map(|p| [p.slug.as_str(), p.meta.title.as_str()]);
        match closest_match(slug, names) {
            Some(best) => match candidates
                .iter()
                .find(|p| p.slug == best || p.meta.title == best)
            {
                Some(p) => d.with_hint(format!("did you mean `{}` ({})?", p.slug, p.meta.title)),
                None => d,
            },
            None => d,
        }
    }
}

fn check_duplicate_slugs(pages: &[Page], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(Kind, &str), &Page> = HashMap::new();
    for page in pages {
        if let Some(first) = seen.insert((page.kind, page.slug.as_str()), page) {
            let at = page.position_of("slug");
            diagnostics.push(
                Diagnostic::error(
                    &page.file,
                    format!(
                        "duplicate slug `{}`: {} would be written to the same URL",
                        page.slug,
                        first.file.display()
                    ),
                )
                .at(at.line, at.column)
                .with_hint("give one of them another file name or a `slug:` of its own"),
            );
        }
    }
}

/// Every page that names another appears in that page's back-links; a page that names it
/// in a typed reference (front matter) also in its `referenced_by`.
fn compute_backlinks(records: &mut [PageRecord]) {
    let mut incoming: Vec<BTreeSet<PageId>> = vec![BTreeSet::new(); records.len()];
    let mut typed: Vec<BTreeSet<PageId>> = vec![BTreeSet::new(); records.len()];
    for (id, record) in records.iter().enumerate() {
        for target in record.names(id) {
            incoming[target].insert(id);
        }
        for target in record.typed_references(id) {
            typed[target].insert(id);
        }
    }
    for ((record, sources), typed) in records.iter_mut().zip(incoming).zip(typed) {
        record.backlinks = sources.into_iter().collect();
        record.referenced_by = typed.into_iter().collect();
    }
}

fn tag_members(
    config: &SiteConfig,
    records: &[PageRecord],
    warn_unused: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Vec<PageId>> {
    let mut tags: BTreeMap<String, Vec<PageId>> = config
        .tags
        .iter()
        .map(|t| (t.slug.clone(), Vec::new()))
        .collect();
    for (id, record) in records.iter().enumerate() {
        for tag in &record.page.meta.tags {
            if let Some(members) = tags.get_mut(tag) {
                if members.last() != Some(&id) {
                    members.push(id);
                }
            }
        }
    }
    let config_file = Path::new("content").join(CONFIG_FILE);
    for (slug, members) in tags.iter().filter(|_| warn_unused) {
        if members.is_empty() {
            diagnostics.push(
                Diagnostic::warning(&config_file, format!("tag `{slug}` is used by no page"))
                    .with_hint("tag it on some pages or remove it from the vocabulary"),
            );
        }
    }
    tags
}

/// A page (other than a guide) that names no page and that no page names.
fn warn_orphans(
    records: &[PageRecord],
    damaged: &HashSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (id, record) in records.iter().enumerate() {
        let page = &record.page;
        if damaged.contains(&page.content_path) {
            continue;
        }
        if record.backlinks.is_empty() && record.names(id).is_empty() && page.kind != Kind::Guide {
            diagnostics.push(
                Diagnostic::warning(
                    &page.file,
                    "orphan page: it names no other page and none names it",
                )
                .with_hint("reference it from a related page so readers can find it"),
            );
        }
    }
}
