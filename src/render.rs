//! Rendering: the checked `Site` → HTML files, through the theme's Tera templates.
//!
//! Templates are compiled once; every page is rendered in parallel from plain view structs
//! (`PageView`, `SiteView`, …) so templates never see the internals of the pipeline. All URLs
//! are relative to the page being rendered (`root` is `""` or `"../"`), so the output works
//! from any sub-path and from `file://`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::content::{Kind, Page};
use crate::diagnostics::Diagnostic;
use crate::links::Site;
use crate::markdown::{self, RenderedMarkdown, TocEntry};
use crate::theme::Theme;

/// A file of the finished site, with its path relative to the output folder (`/`-separated).
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Where finished files go as soon as they are made (the staging folder, or nowhere for
/// `check`), so a large site is never held in memory whole.
pub type Emit<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// A link to a page as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    /// Relative to the site root; templates prefix `root`.
    pub url: String,
    pub summary: String,
    pub kind: String,
    pub kind_name: String,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub label: String,
    pub links: Vec<LinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagLinkView {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub description: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub title: String,
    /// What citations show: `short_title` from the front matter, or the title.
    pub short_title: String,
    pub url: String,
    pub publisher: String,
    pub date: String,
}

/// Site-wide data every template gets as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub language: String,
    pub kinds: Vec<KindView>,
    pub levels: Vec<LevelView>,
    pub tags: Vec<TagLinkView>,
    /// Plain pages (about, how to use, study paths) for the navigation.
    pub guides: Vec<LinkView>,
    pub page_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindView {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub url: String,
    pub problems: Vec<LinkView>,
}

/// One content page as its template sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub title: String,
    pub summary: String,
    pub kind: String,
    pub kind_name: String,
    pub url: String,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub aliases: Vec<String>,
    pub tags: Vec<TagLinkView>,
    pub level: Option<LinkView>,
    pub facts: Vec<(String, String)>,
    pub references: Vec<GroupView>,
    pub backlinks: Vec<GroupView>,
    pub sources: Vec<SourceView>,
    pub illustrative: bool,
}

/// What rendering leaves behind for the next stage.
pub struct Rendered {
    pub files: usize,
    /// Per page, the plain text of its body, for the search index.
    pub plain_texts: Vec<String>,
}

/// Renders every page of the site, handing each file to `emit` as soon as it is made;
/// template errors are returned as diagnostics.
pub fn render_site(
    site: &Site,
    theme: &mut Theme,
    emit: &Emit<'_>,
) -> Result<Rendered, Vec<Diagnostic>> {
    let view = site_view(site);
    // `site` is the same for every page: serialise it once into the global context.
    theme.set_global("site", &view);
    let theme = &*theme;
    let reading_order = reading_order(site);
    let jobs = jobs(site);
    let plain_texts: Vec<OnceLock<String>> = site.pages.iter().map(|_| OnceLock::new()).collect();
    let failures: Vec<Diagnostic> = jobs
        .par_iter()
        .filter_map(|job| {
            render_job(site, &plain_texts, &reading_order, &view, theme, job)
                .and_then(emit)
                .err()
        })
        .collect();
    // One broken template fails every page that uses it: report each problem once.
    let mut problems: Vec<Diagnostic> = Vec::new();
    for problem in failures {
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        let plain_texts = plain_texts
            .into_iter()
            .map(|t| t.into_inner().unwrap_or_default())
            .collect();
        Ok(Rendered {
            files: jobs.len(),
            plain_texts,
        })
    } else {
        Err(problems)
    }
}

/// Whether the data every template sees as `site` is the same for two versions of a site:
/// if it is, pages not otherwise affected by an edit render exactly as before.
pub fn same_site_view(a: &Site, b: &Site) -> bool {
    serde_json::to_string(&site_view(a)).ok() == serde_json::to_string(&site_view(b)).ok()
}

/// Files rendered again after an edit, with the plain text of each content page among them.
pub struct Rerendered {
    pub files: Vec<OutputFile>,
    pub plain_texts: Vec<(usize, String)>,
}

/// Renders some of the site's files again (for `serve` after an edit); the `site` global of
/// the theme is still the one `render_site` set.
pub fn render_some(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
) -> Result<Rerendered, Vec<Diagnostic>> {
    let plain_texts: Vec<OnceLock<String>> = site.pages.iter().map(|_| OnceLock::new()).collect();
    let view = site_view(site);
    let order = reading_order(site);
    let results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|job| render_job(site, &plain_texts, &order, &view, theme, job))
        .collect();
    let files = results
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|d| vec![d])?;
    let texts = plain_texts
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| t.into_inner().map(|t| (i, t)))
        .collect();
    Ok(Rerendered {
        files,
        plain_texts: texts,
    })
}

/// One output file to produce.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    Home,
    Page(usize),
    KindIndex(Kind),
    Level(usize),
    TagIndex,
    Tag(String),
    Search,
}

fn jobs(site: &Site) -> Vec<Job> {
    let mut jobs = vec![Job::Home, Job::TagIndex, Job::Search];
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.extend(
        Kind::ALL
            .into_iter()
            .filter(|k| site.config.kind_config(*k).is_some())
            .map(Job::KindIndex),
    );
    jobs.extend((0..site.config.levels.len()).map(Job::Level));
    jobs.extend(site.tags.keys().cloned().map(Job::Tag));
    jobs
}

/// A page's Markdown body as HTML, table of contents and plain text. Pages all sit one
/// folder down, so `@/` links resolve relative to `../`.
fn render_body(site: &Site, page: &Page) -> RenderedMarkdown {
    let resolve = |target: &str| {
        site.by_content_path.get(target).map(|&i| {
            let target = &site.pages[i];
            markdown::LinkTarget {
                href: format!("../{}", page_url(site, target)),
                label: target.short_title().to_string(),
            }
        })
    };
    markdown::render(&page.body, &resolve)
}

fn render_job(
    site: &Site,
    plain_texts: &[OnceLock<String>],
    reading_order: &ReadingOrder,
    view: &SiteView,
    theme: &Theme,
    job: &Job,
) -> Result<OutputFile, Diagnostic> {
    let mut context = Context::new();
    let (path, template) = match job {
        Job::Home => {
            context.insert("root", "");
            let responsibilities: Vec<LinkView> = site
                .pages_of(Kind::Responsibility)
                .map(|(i, _)| link_view(site, i))
                .collect();
            context.insert("responsibilities", &responsibilities);
            ("index.html".to_string(), "home.html")
        }
        Job::Search => {
            context.insert("root", "");
            ("search.html".to_string(), "search.html")
        }
        Job::Page(index) => {
            let page = &site.pages[*index];
            let path = page_url(site, page);
            context.insert("root", &root_for(&path));
            let body = render_body(site, page);
            context.insert("page", &page_view(site, *index, body.html, body.toc, &path));
            let _ = plain_texts[*index].set(body.plain_text);
            context.insert("breadcrumbs", &breadcrumbs(site, page));
            let (prev, next) = neighbours(site, reading_order, *index);
            context.insert("prev", &prev);
            context.insert("next", &next);
            (path, "page.html")
        }
        Job::KindIndex(kind) => {
            let path = kind_index_url(site, *kind);
            context.insert("root", &root_for(&path));
            context.insert("kind", &kind_view(site, *kind));
            context.insert("groups", &kind_groups(site, *kind));
            (path, "kind.html")
        }
        Job::Level(index) => {
            let level = &view.levels[*index];
            let path = level.url.clone();
            context.insert("root", &root_for(&path));
            context.insert("level", level);
            (path, "level.html")
        }
        Job::TagIndex => {
            context.insert("root", "../");
            ("tags/index.html".to_string(), "tags.html")
        }
        Job::Tag(slug) => {
            let path = tag_url(slug);
            let tag = view.tags.iter().find(|t| &t.slug == slug);
            context.insert("root", &root_for(&path));
            context.insert("tag", &tag);
            context.insert("groups", &tag_groups(site, slug));
            (path, "tag.html")
        }
    };
    let html = theme.render(template, &context)?;
    Ok(OutputFile {
        path,
        contents: html.into_bytes(),
    })
}

/// `""` for files at the top, `"../"` for files one folder down.
fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

pub fn page_url(site: &Site, page: &Page) -> String {
    format!("{}/{}.html", folder(site, page.kind), page.slug)
}

fn folder(site: &Site, kind: Kind) -> &str {
    site.config
        .kind_config(kind)
        .map_or(kind.slug(), |k| k.folder.as_str())
}

fn kind_name(site: &Site, kind: Kind) -> String {
    site.config
        .kind_config(kind)
        .map_or_else(|| kind.slug().to_string(), |k| k.name.clone())
}

fn kind_index_url(site: &Site, kind: Kind) -> String {
    format!("{}/index.html", folder(site, kind))
}

fn tag_url(slug: &str) -> String {
    format!("tags/{slug}.html")
}

fn level_url(slug: &str) -> String {
    format!("levels/{slug}.html")
}

fn link_view(site: &Site, index: usize) -> LinkView {
    let page = &site.pages[index];
    LinkView {
        title: page.meta.title.clone(),
        url: page_url(site, page),
        summary: page.meta.summary.clone(),
        kind: page.kind.slug().to_string(),
        kind_name: kind_name(site, page.kind),
        illustrative: page.meta.illustrative,
    }
}

fn site_view(site: &Site) -> SiteView {
    let config = &site.config;
    let kinds = Kind::ALL
        .into_iter()
        .filter(|k| config.kind_config(*k).is_some() && *k != Kind::Page)
        .map(|k| kind_view(site, k))
        .collect();
    let levels = config
        .levels
        .iter()
        .map(|level| LevelView {
            slug: level.slug.clone(),
            name: level.name.clone(),
            description: level.description.clone(),
            url: level_url(&level.slug),
            problems: site
                .pages_of(Kind::Problem)
                .filter(|(_, p)| p.meta.level.as_deref() == Some(level.slug.as_str()))
                .map(|(i, _)| link_view(site, i))
                .collect(),
        })
        .collect();
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        kinds,
        levels,
        tags: config
            .tags
            .iter()
            .map(|t| tag_link(site, &t.slug))
            .collect(),
        guides: site
            .pages_of(Kind::Page)
            .map(|(i, _)| link_view(site, i))
            .collect(),
        page_count: site.pages.len(),
    }
}

fn kind_view(site: &Site, kind: Kind) -> KindView {
    KindView {
        slug: kind.slug().to_string(),
        name: kind_name(site, kind),
        url: kind_index_url(site, kind),
        count: site.pages_of(kind).count(),
    }
}

fn tag_link(site: &Site, slug: &str) -> TagLinkView {
    let tag = site.config.tag(slug);
    TagLinkView {
        slug: slug.to_string(),
        name: tag.map_or_else(|| slug.to_string(), |t| t.name.clone()),
        url: tag_url(slug),
        description: tag.map(|t| t.description.clone()).unwrap_or_default(),
        count: site.tags.get(slug).map_or(0, Vec::len),
    }
}

fn page_view(
    site: &Site,
    index: usize,
    content: String,
    toc: Vec<TocEntry>,
    own_url: &str,
) -> PageView {
    let page = &site.pages[index];
    let mut shown: Vec<usize> = vec![index];
    let references: Vec<GroupView> = site.references[index]
        .iter()
        .filter(|(field, _)| *field != "sources")
        .map(|(field, targets)| {
            shown.extend(targets);
            GroupView {
                label: reference_label(page.kind, field).to_string(),
                links: targets.iter().map(|&t| link_view(site, t)).collect(),
            }
        })
        .collect();
    let backlinks = group_by_kind(
        site,
        site.backlinks[index]
            .iter()
            .copied()
            .filter(|i| !shown.contains(i)),
        |kind| backlink_label(page.kind, kind),
    );
    let sources = site.references[index]
        .iter()
        .filter(|(field, _)| *field == "sources")
        .flat_map(|(_, targets)| targets)
        .map(|&t| {
            let source = &site.pages[t];
            SourceView {
                title: source.meta.title.clone(),
                short_title: source.short_title().to_string(),
                url: page_url(site, source),
                publisher: source.meta.publisher.clone().unwrap_or_default(),
                date: source.meta.date.clone().unwrap_or_default(),
            }
        })
        .collect();
    PageView {
        title: page.meta.title.clone(),
        summary: page.meta.summary.clone(),
        kind: page.kind.slug().to_string(),
        kind_name: kind_name(site, page.kind),
        url: own_url.to_string(),
        content,
        toc,
        aliases: page.meta.aliases.clone(),
        tags: page.meta.tags.iter().map(|t| tag_link(site, t)).collect(),
        level: page.meta.level.as_deref().and_then(|slug| {
            site.config.level(slug).map(|l| LinkView {
                title: l.name.clone(),
                url: level_url(&l.slug),
                summary: l.description.clone(),
                kind: "level".into(),
                kind_name: "层面".into(),
                illustrative: false,
            })
        }),
        facts: facts(page),
        references,
        backlinks,
        sources,
        illustrative: page.meta.illustrative,
    }
}

/// Short labelled facts shown under the title (place, date, bearer, publisher, …).
fn facts(page: &Page) -> Vec<(String, String)> {
    let meta = &page.meta;
    let mut facts = Vec::new();
    let mut add = |label: &str, value: &Option<String>| {
        if let Some(value) = value {
            facts.push((label.to_string(), value.clone()));
        }
    };
    add("承担主体", &meta.bearer);
    add("地点", &meta.place);
    add("发布者", &meta.publisher);
    add("作者", &meta.author);
    add(
        if page.kind == Kind::Source {
            "发布日期"
        } else {
            "时间"
        },
        &meta.date,
    );
    if meta.illustrative {
        facts.push(("性质".into(), "来源文献中的未具名示例".into()));
    }
    facts
}

fn reference_label(kind: Kind, field: &str) -> &'static str {
    match (kind, field) {
        (Kind::Problem, "responsibilities") => "涉及的责任类型",
        (Kind::Problem, "countermeasures") => "整改措施",
        (Kind::Problem, "related") => "相关问题",
        (Kind::Countermeasure, "problems") => "针对的问题",
        (Kind::Countermeasure, "responsibilities") => "实施主体",
        (Kind::Countermeasure, "related") => "相关措施",
        (Kind::Case, "problems") => "反映的问题",
        (Kind::Case, "countermeasures") => "体现的措施",
        (Kind::Case, "responsibilities") => "涉及的责任类型",
        (Kind::Responsibility, "related") => "相关责任类型",
        (_, "problems") => "相关问题",
        (_, "countermeasures") => "相关措施",
        (_, "responsibilities") => "相关责任类型",
        _ => "相关页面",
    }
}

fn backlink_label(target: Kind, from: Kind) -> String {
    match (target, from) {
        (Kind::Source, _) => "引用本文献的页面".to_string(),
        (_, Kind::Responsibility) => "相关责任类型".to_string(),
        (_, Kind::Problem) => "相关问题".to_string(),
        (_, Kind::Countermeasure) => "相关整改措施".to_string(),
        (_, Kind::Case) => "相关案例".to_string(),
        (_, Kind::Source) => "相关文献".to_string(),
        (_, Kind::Page) => "提到本页的说明".to_string(),
    }
}

/// Groups pages by kind in kind order, labelling each group.
fn group_by_kind(
    site: &Site,
    indices: impl Iterator<Item = usize>,
    label: impl Fn(Kind) -> String,
) -> Vec<GroupView> {
    let mut groups: BTreeMap<(Kind, String), Vec<LinkView>> = BTreeMap::new();
    for index in indices {
        let kind = site.pages[index].kind;
        groups
            .entry((kind, label(kind)))
            .or_default()
            .push(link_view(site, index));
    }
    // Several kinds may share a label (sources' back-links): merge them, keeping kind order.
    let mut merged: Vec<GroupView> = Vec::new();
    for ((_, label), links) in groups {
        match merged.iter_mut().find(|g| g.label == label) {
            Some(group) => group.links.extend(links),
            None => merged.push(GroupView { label, links }),
        }
    }
    merged
}

fn breadcrumbs(site: &Site, page: &Page) -> Vec<LinkView> {
    let mut crumbs = vec![LinkView {
        title: kind_name(site, page.kind),
        url: kind_index_url(site, page.kind),
        summary: String::new(),
        kind: "kind".into(),
        kind_name: String::new(),
        illustrative: false,
    }];
    if let Some(level) = page
        .meta
        .level
        .as_deref()
        .and_then(|l| site.config.level(l))
    {
        crumbs.push(LinkView {
            title: level.name.clone(),
            url: level_url(&level.slug),
            summary: String::new(),
            kind: "level".into(),
            kind_name: String::new(),
            illustrative: false,
        });
    }
    crumbs
}

/// Per page: the pages of its kind in reading order, and its position among them.
pub(crate) struct ReadingOrder {
    same_kind: Vec<Vec<usize>>,
    position: Vec<(usize, usize)>,
}

pub(crate) fn reading_order(site: &Site) -> ReadingOrder {
    let mut same_kind: Vec<Vec<usize>> = Vec::new();
    let mut position = vec![(0, 0); site.pages.len()];
    for (group, kind) in Kind::ALL.into_iter().enumerate() {
        let pages: Vec<usize> = site.pages_of(kind).map(|(i, _)| i).collect();
        for (at, &page) in pages.iter().enumerate() {
            position[page] = (group, at);
        }
        same_kind.push(pages);
    }
    ReadingOrder {
        same_kind,
        position,
    }
}

/// Previous and next page of the same kind, in reading order.
fn neighbours(
    site: &Site,
    order: &ReadingOrder,
    index: usize,
) -> (Option<LinkView>, Option<LinkView>) {
    let (prev, next) = order.around(index);
    (
        prev.map(|p| link_view(site, p)),
        next.map(|n| link_view(site, n)),
    )
}

impl ReadingOrder {
    /// The pages before and after `index` in its kind's reading order.
    pub(crate) fn around(&self, index: usize) -> (Option<usize>, Option<usize>) {
        let (group, at) = self.position[index];
        let same = &self.same_kind[group];
        (
            at.checked_sub(1).map(|p| same[p]),
            same.get(at + 1).copied(),
        )
    }
}

fn kind_groups(site: &Site, kind: Kind) -> Vec<GroupView> {
    if kind == Kind::Problem {
        return site
            .config
            .levels
            .iter()
            .map(|level| GroupView {
                label: level.name.clone(),
                links: site
                    .pages_of(Kind::Problem)
                    .filter(|(_, p)| p.meta.level.as_deref() == Some(level.slug.as_str()))
                    .map(|(i, _)| link_view(site, i))
                    .collect(),
            })
            .collect();
    }
    if kind == Kind::Case {
        let (illustrative, real): (Vec<usize>, Vec<usize>) = site
            .pages_of(kind)
            .map(|(i, _)| i)
            .partition(|&i| site.pages[i].meta.illustrative);
        return [("各地实践", real), ("文献中的示例", illustrative)]
            .into_iter()
            .filter(|(_, pages)| !pages.is_empty())
            .map(|(label, pages)| GroupView {
                label: label.to_string(),
                links: pages.into_iter().map(|i| link_view(site, i)).collect(),
            })
            .collect();
    }
    vec![GroupView {
        label: kind_name(site, kind),
        links: site
            .pages_of(kind)
            .map(|(i, _)| link_view(site, i))
            .collect(),
    }]
}

fn tag_groups(site: &Site, slug: &str) -> Vec<GroupView> {
    let members = site.tags.get(slug).cloned().unwrap_or_default();
    group_by_kind(site, members.into_iter(), |kind| kind_name(site, kind))
}
