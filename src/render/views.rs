//! The data templates see: plain view structs built from the `Site`.
//!
//! Templates never see the pipeline's internals, only these structs (listed in README.md,
//! Themes). Every URL is relative to the site root; templates prefix `root`. The words in
//! labels (relation sections, facts) come from the theme's `strings.yaml`.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::content::Kind;
use crate::markdown::TocEntry;
use crate::site::{PageId, Site};
use crate::theme::Strings;
use crate::urls;

use super::jobs;

/// A link to a page as templates see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// A section of related pages on a page: what it names and what names it, merged where
/// they mean the same thing (pages of one kind), with an id for the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    pub id: String,
    /// The kind of the pages listed.
    pub kind: String,
    pub label: String,
    pub links: Vec<LinkView>,
    /// Only pages that link here (none of them named by this page).
    pub backlinks_only: bool,
}

/// One heading of the table of contents, with the headings under it.
#[derive(Debug, Clone, Serialize)]
pub struct TocNode {
    pub id: String,
    pub title: String,
    pub children: Vec<TocNode>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub language: String,
    pub kinds: Vec<KindView>,
    pub levels: Vec<LevelView>,
    pub tags: Vec<TagLinkView>,
    /// Guide pages (about, how to use, study paths) for the navigation.
    pub guides: Vec<LinkView>,
    /// Training courses, for the home page.
    pub courses: Vec<LinkView>,
    /// Guides marked `menu: true`, for the main navigation.
    pub menu: Vec<LinkView>,
    /// The overview pages this site has: (title, url).
    pub overviews: Vec<(String, String)>,
    pub page_count: usize,
    /// Where the search index lives, relative to the root (`search/`).
    pub search_folder: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KindView {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// For a course: its units, time plan and printouts.
    pub course: Option<super::course::CourseView>,
    /// 自查清单.
    pub checklist: Vec<String>,
    /// 自测题.
    pub quiz: Vec<QuestionView>,
    /// Related pages in sections: merged forward and back-links, by kind.
    pub relations: Vec<RelationView>,
    /// The page's main relations as short lists for the box near the top.
    pub glance: Vec<RelationView>,
    /// The table of contents as a tree (h3 under h2), relation sections included.
    pub toc_tree: Vec<TocNode>,
    /// 最后更新: `updated:` from the front matter, else the file's last commit date.
    pub updated: Option<String>,
}

/// A self-test question as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    /// `<page url>#q<n>`: where the browser keeps the reader's answer.
    pub key: String,
    pub question: String,
    /// (letter, text) of each option; empty for a short answer.
    pub options: Vec<(String, String)>,
    /// The letter of the right option, or the short answer.
    pub answer: String,
    pub explanation: String,
    pub source: Option<SourceView>,
}

/// One entry of the glossary page: a term page with its other names and definition.
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub link: LinkView,
    pub aliases: Vec<String>,
    pub sources: Vec<SourceView>,
}

/// Every page whose title and aliases are glossary terms, by kind in reading order.
pub fn terms_view(site: &Site) -> Vec<GroupView> {
    crate::terms::TERM_KINDS
        .iter()
        .filter(|k| !site.pages_of(**k).is_empty())
        .map(|&kind| GroupView {
            label: site.kind_name(kind).to_string(),
            links: links(site, site.pages_of(kind).iter().copied()),
        })
        .collect()
}

/// The glossary entries, in the order of `terms_view`.
pub fn term_entries(site: &Site) -> Vec<TermView> {
    crate::terms::TERM_KINDS
        .iter()
        .flat_map(|&kind| site.pages_of(kind).iter().copied())
        .map(|id| TermView {
            link: link_view(site, id),
            aliases: site.page(id).meta.aliases.clone(),
            sources: site.pages[id]
                .referenced("sources")
                .iter()
                .map(|&s| source_view(site, s))
                .collect(),
        })
        .collect()
}

/// The questions of a page.
pub fn quiz_view(site: &Site, id: PageId) -> Vec<QuestionView> {
    let page = site.page(id);
    let url = site.url(id);
    page.meta
        .quiz
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let letter = |n: usize| ((b'A' + (n % 26) as u8) as char).to_string();
            QuestionView {
                key: format!("{url}#q{}", i + 1),
                question: q.question.clone(),
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(n, o)| (letter(n), o.clone()))
                    .collect(),
                answer: q.right_option().map_or_else(|| q.answer.clone(), letter),
                explanation: q.explanation.clone(),
                source: site
                    .pages_of(Kind::Source)
                    .iter()
                    .find(|&&s| site.page(s).slug == q.source)
                    .map(|&s| source_view(site, s)),
            }
        })
        .collect()
}

pub fn link_view(site: &Site, id: PageId) -> LinkView {
    let page = site.page(id);
    LinkView {
        title: page.meta.title.clone(),
        url: site.url(id),
        summary: page.meta.summary.clone(),
        kind: page.kind.slug().to_string(),
        kind_name: site.kind_name(page.kind).to_string(),
        illustrative: page.meta.illustrative,
    }
}

fn links(site: &Site, ids: impl IntoIterator<Item = PageId>) -> Vec<LinkView> {
    ids.into_iter().map(|id| link_view(site, id)).collect()
}

/// The data every template shares as `site`. When it is equal for two versions of a site,
/// pages not otherwise affected by an edit render exactly as before.
pub fn site_view(site: &Site) -> SiteView {
    let config = &site.config;
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        kinds: config
            .kinds_present()
            .filter(|k| *k != Kind::Guide)
            .map(|k| kind_view(site, k))
            .collect(),
        levels: (0..config.levels.len())
            .map(|i| level_view(site, i))
            .collect(),
        tags: config
            .tags
            .iter()
            .map(|t| tag_link(site, &t.slug))
            .collect(),
        guides: links(site, site.pages_of(Kind::Guide).iter().copied()),
        courses: links(site, site.pages_of(Kind::Course).iter().copied()),
        menu: links(
            site,
            site.pages_of(Kind::Guide)
                .iter()
                .copied()
                .filter(|&g| site.page(g).meta.menu == Some(true)),
        ),
        overviews: [
            (Kind::Problem, "overviews.matrix", urls::MATRIX_PAGE),
            (Kind::Case, "overviews.cases", urls::CASES_PAGE),
            (Kind::Responsibility, "overviews.chain", urls::CHAIN_PAGE),
        ]
        .into_iter()
        .filter(|(kind, _, _)| !site.pages_of(*kind).is_empty())
        .map(|(_, title, url)| (site.theme.strings.get(title), url.to_string()))
        .collect(),
        page_count: site.pages.len(),
        search_folder: format!("{}/", urls::SEARCH_FOLDER),
    }
}

pub fn level_view(site: &Site, index: usize) -> LevelView {
    let level = &site.config.levels[index];
    LevelView {
        slug: level.slug.clone(),
        name: level.name.clone(),
        description: level.description.clone(),
        url: urls::level(&level.slug),
        problems: links(site, site.problems_of_level(&level.slug)),
    }
}

pub fn kind_view(site: &Site, kind: Kind) -> KindView {
    KindView {
        slug: kind.slug().to_string(),
        name: site.kind_name(kind).to_string(),
        url: urls::kind_index(site.folder(kind)),
        count: site.pages_of(kind).len(),
    }
}

pub fn tag_link(site: &Site, slug: &str) -> TagLinkView {
    let tag = site.config.tag(slug);
    TagLinkView {
        slug: slug.to_string(),
        name: tag.map_or_else(|| slug.to_string(), |t| t.name.clone()),
        url: urls::tag(slug),
        description: tag.map(|t| t.description.clone()).unwrap_or_default(),
        count: site.tags.get(slug).map_or(0, Vec::len),
    }
}

/// The folders at the top of the output, for the 404 page: served at whatever address was
/// asked for, it finds the site's home as the part of the address before one of them.
pub fn top_folders(site: &Site) -> Vec<String> {
    site.config
        .kinds_present()
        .map(|k| site.folder(k).to_string())
        .chain(
            [
                "levels",
                "tags",
                urls::OVERVIEW_FOLDER,
                urls::STATIC_FOLDER,
                urls::SEARCH_FOLDER,
            ]
            .map(String::from),
        )
        .collect()
}

/// The home page's own list (besides `site`): every responsibility type (the default
/// theme shows the first of them, see home.html).
pub fn home_links(site: &Site) -> Vec<LinkView> {
    links(site, jobs::home_pages(site).iter().copied())
}

/// A page with its relations, grouped and labelled.
pub fn page_view(
    site: &Site,
    id: PageId,
    content: String,
    toc: Vec<TocEntry>,
    strings: &Strings,
) -> PageView {
    let record = &site.pages[id];
    let page = &record.page;
    let kind = page.kind.slug();
    let mut shown: Vec<PageId> = vec![id];
    let references: Vec<GroupView> = record
        .references
        .iter()
        .filter(|(field, _)| !matches!(field.name, "sources" | "units" | "quiz"))
        .map(|(field, targets)| {
            shown.extend(targets);
            GroupView {
                label: strings.reference_label(kind, field.name),
                links: links(site, targets.iter().copied()),
            }
        })
        .collect();
    let backlinks = group_by_kind(
        site,
        record
            .backlinks
            .iter()
            .copied()
            .filter(|i| !shown.contains(i)),
        |from| strings.backlink_label(kind, from.slug()),
    );
    let sources: Vec<SourceView> = record
        .referenced("sources")
        .iter()
        .map(|&t| source_view(site, t))
        .collect();
    let relations = relations(site, id, strings);
    let sources_label = (!sources.is_empty()).then(|| strings.get("sources"));
    let toc_tree = toc_tree(&toc, &relations, sources_label);
    // The box near the top: the pages of the main kinds only (not guides, sources, courses).
    let glance = relations
        .iter()
        .filter(|r| {
            matches!(
                r.kind.as_str(),
                "responsibility" | "problem" | "countermeasure" | "case"
            )
        })
        .cloned()
        .collect();
    PageView {
        title: page.meta.title.clone(),
        summary: page.meta.summary.clone(),
        kind: kind.to_string(),
        kind_name: site.kind_name(page.kind).to_string(),
        url: site.url(id),
        content,
        toc,
        aliases: page.meta.aliases.clone(),
        tags: page.meta.tags.iter().map(|t| tag_link(site, t)).collect(),
        level: page.meta.level.as_deref().and_then(|slug| {
            site.config.level(slug).map(|l| LinkView {
                title: l.name.clone(),
                url: urls::level(&l.slug),
                summary: l.description.clone(),
                kind: "level".into(),
                kind_name: strings.get("level"),
                illustrative: false,
            })
        }),
        facts: facts(site, id, strings),
        references,
        backlinks,
        sources,
        illustrative: page.meta.illustrative,
        course: (page.kind == Kind::Course).then(|| super::course::course_view(site, id)),
        checklist: page.meta.checklist.clone(),
        quiz: quiz_view(site, id),
        relations,
        glance,
        toc_tree,
        updated: page
            .meta
            .updated
            .clone()
            .or_else(|| site.updated.get(&page.content_path).cloned()),
    }
}

/// The page's relations: each reference field's pages, with the pages of that kind that
/// link here added (they mean the same: related pages of that kind); then the pages that
/// only link here, by kind, labelled as back-links.
fn relations(site: &Site, id: PageId, strings: &Strings) -> Vec<RelationView> {
    let record = &site.pages[id];
    let kind = record.page.kind.slug();
    // The page and what it names; back-links are distinct already (`link`), so a set of
    // these stays small however many pages name this one (a source cited by a whole
    // province's pages: the list it was searched once per back-link grew with them).
    let mut shown: FxHashSet<PageId> = FxHashSet::from_iter([id]);
    let mut groups: Vec<(Kind, String, Vec<PageId>, bool)> = Vec::new();
    for (field, targets) in &record.references {
        if matches!(field.name, "sources" | "units" | "quiz") || targets.is_empty() {
            continue;
        }
        let target_kind = site.page(targets[0]).kind;
        shown.extend(targets);
        groups.push((
            target_kind,
            strings.reference_label(kind, field.name),
            targets.clone(),
            false,
        ));
    }
    for &from in &record.backlinks {
        if shown.contains(&from) {
            continue;
        }
        let from_kind = site.page(from).kind;
        match groups.iter_mut().find(|(k, _, _, _)| *k == from_kind) {
            Some(group) => group.2.push(from),
            None => groups.push((
                from_kind,
                strings.backlink_label(kind, from_kind.slug()),
                vec![from],
                true,
            )),
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (kind, label, pages, backlinks_only))| RelationView {
            id: format!("relations-{}", i + 1),
            kind: kind.slug().to_string(),
            label,
            links: links(site, pages),
            backlinks_only,
        })
        .collect()
}

/// The headings as a tree, h3 under the h2 before it, then the relation sections.
fn toc_tree(toc: &[TocEntry], relations: &[RelationView], sources: Option<String>) -> Vec<TocNode> {
    let mut tree: Vec<TocNode> = Vec::new();
    for entry in toc {
        let node = TocNode {
            id: entry.id.clone(),
            title: entry.title.clone(),
            children: Vec::new(),
        };
        match (entry.level, tree.last_mut()) {
            (3, Some(parent)) => parent.children.push(node),
            _ => tree.push(node),
        }
    }
    for relation in relations {
        tree.push(TocNode {
            id: relation.id.clone(),
            title: relation.label.clone(),
            children: Vec::new(),
        });
    }
    if let Some(title) = sources {
        tree.push(TocNode {
            id: "sources".into(),
            title,
            children: Vec::new(),
        });
    }
    tree
}

pub fn source_view(site: &Site, id: PageId) -> SourceView {
    let source = site.page(id);
    SourceView {
        title: source.meta.title.clone(),
        short_title: source.short_title().to_string(),
        url: site.url(id),
        publisher: source.meta.publisher.clone().unwrap_or_default(),
        date: source.meta.date.clone().unwrap_or_default(),
    }
}

/// Short labelled facts shown under the title (place, date, bearer, publisher, …).
pub fn facts(site: &Site, id: PageId, strings: &Strings) -> Vec<(String, String)> {
    let page = site.page(id);
    let kind = page.kind.slug();
    let meta = &page.meta;
    let mut facts = Vec::new();
    for (field, value) in [
        ("bearer", &meta.bearer),
        ("place", &meta.place),
        ("publisher", &meta.publisher),
        ("author", &meta.author),
        ("date", &meta.date),
    ] {
        if let Some(value) = value {
            facts.push((strings.fact_label(kind, field), value.clone()));
        }
    }
    if meta.illustrative {
        facts.push((
            strings.fact_label(kind, "illustrative"),
            strings.get("facts.illustrative_value"),
        ));
    }
    facts
}

/// Groups pages by kind in kind order, labelling each group.
fn group_by_kind(
    site: &Site,
    ids: impl Iterator<Item = PageId>,
    label: impl Fn(Kind) -> String,
) -> Vec<GroupView> {
    let mut groups: BTreeMap<Kind, Vec<LinkView>> = BTreeMap::new();
    for id in ids {
        groups
            .entry(site.page(id).kind)
            .or_default()
            .push(link_view(site, id));
    }
    // Several kinds may share a label (sources' back-links): merge them, keeping kind order.
    let mut merged: Vec<GroupView> = Vec::new();
    for (kind, links) in groups {
        let label = label(kind);
        match merged.iter_mut().find(|g| g.label == label) {
            Some(group) => group.links.extend(links),
            None => merged.push(GroupView { label, links }),
        }
    }
    merged
}

pub fn breadcrumbs(site: &Site, id: PageId) -> Vec<LinkView> {
    let page = site.page(id);
    let crumb = |title: &str, url: String, kind: &str| LinkView {
        title: title.to_string(),
        url,
        summary: String::new(),
        kind: kind.into(),
        kind_name: String::new(),
        illustrative: false,
    };
    let mut crumbs = vec![crumb(
        site.kind_name(page.kind),
        urls::kind_index(site.folder(page.kind)),
        "kind",
    )];
    if let Some(level) = page
        .meta
        .level
        .as_deref()
        .and_then(|l| site.config.level(l))
    {
        crumbs.push(crumb(&level.name, urls::level(&level.slug), "level"));
    }
    crumbs
}

/// Previous and next page of the same kind, in reading order.
pub fn neighbours(site: &Site, id: PageId) -> (Option<LinkView>, Option<LinkView>) {
    let (prev, next) = site.neighbours(id);
    (
        prev.map(|p| link_view(site, p)),
        next.map(|n| link_view(site, n)),
    )
}

/// A kind's index, grouped: problem categories by level, cases into named practices and
/// examples from the sources, other kinds in one group.
pub fn kind_groups(site: &Site, kind: Kind, strings: &Strings) -> Vec<GroupView> {
    let pages = site.pages_of(kind);
    match kind {
        Kind::Problem => site
            .config
            .levels
            .iter()
            .map(|level| GroupView {
                label: level.name.clone(),
                links: links(site, site.problems_of_level(&level.slug)),
            })
            .collect(),
        Kind::Case => {
            let (examples, named): (Vec<PageId>, Vec<PageId>) =
                pages.iter().partition(|&&i| site.page(i).meta.illustrative);
            [
                ("groups.case_named", named),
                ("groups.case_illustrative", examples),
            ]
            .into_iter()
            .filter(|(_, pages)| !pages.is_empty())
            .map(|(key, pages)| GroupView {
                label: strings.get(key),
                links: links(site, pages),
            })
            .collect()
        }
        Kind::Countermeasure if !site.config.levels.is_empty() => {
            // Under each level, the countermeasures that answer one of its problems (a
            // countermeasure may answer problems of several levels, and then shows in each).
            let levels_of = |id: PageId| -> Vec<String> {
                super::overview::related_of_kind(site, id, Kind::Problem)
                    .into_iter()
                    .filter_map(|p| site.page(p).meta.level.clone())
                    .collect()
            };
            let answered: Vec<(PageId, Vec<String>)> =
                pages.iter().map(|&id| (id, levels_of(id))).collect();
            let mut groups: Vec<GroupView> = site
                .config
                .levels
                .iter()
                .map(|level| GroupView {
                    label: site
                        .theme
                        .strings
                        .get("groups.countermeasures_for_level")
                        .replace("{level}", &level.name),
                    links: links(
                        site,
                        answered
                            .iter()
                            .filter(|(_, levels)| levels.contains(&level.slug))
                            .map(|(id, _)| *id),
                    ),
                })
                .collect();
            let rest = answered
                .iter()
                .filter(|(_, levels)| levels.is_empty())
                .map(|(id, _)| *id);
            groups.push(GroupView {
                label: site.theme.strings.get("groups.other_countermeasures"),
                links: links(site, rest),
            });
            groups.retain(|g| !g.links.is_empty());
            groups
        }
        _ => vec![GroupView {
            label: site.kind_name(kind).to_string(),
            links: links(site, pages.iter().copied()),
        }],
    }
}

pub fn tag_groups(site: &Site, slug: &str) -> Vec<GroupView> {
    let members = site.tags.get(slug).cloned().unwrap_or_default();
    group_by_kind(site, members.into_iter(), |kind| {
        site.kind_name(kind).to_string()
    })
}
