//! What shows where: the output files of a site, and which pages each one shows.
//!
//! The one place that answers both directions: `Job::shows` lists the pages whose data a
//! file displays (the view builders in `views` take their pages from the same functions),
//! and `showing` lists the files that display a page, which is what `serve` re-renders
//! after an edit. The relations are symmetric (a page shows what it names and what names
//! it; neighbours show each other), so `showing` is the exact inverse of `shows`; a test
//! checks that on a whole site.

use std::collections::BTreeSet;

use crate::content::Kind;
use crate::site::{PageId, Site};
use crate::urls;

use super::course;
use super::overview;

/// One output file rendered from a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Job {
    Home,
    Page(PageId),
    KindIndex(Kind),
    /// A level, by its index in the configuration.
    Level(usize),
    TagIndex,
    Tag(String),
    Search,
    /// A course's printable handout.
    Handout(PageId),
    /// A course's presentation for the projector.
    Slides(PageId),
    /// Every page in one printable document.
    Print,
    /// A level's self-test: the questions of its problem categories.
    LevelQuiz(usize),
    /// 术语表.
    Terms,
    /// 我的学习.
    Mine,
    /// Problems × countermeasures, with each problem's cases.
    Matrix,
    /// The cases side by side.
    Cases,
    /// The responsibility chain.
    Chain,
    /// The page a server shows for a missing file.
    NotFound,
}

impl Job {
    /// The file's path in the output.
    pub fn path(&self, site: &Site) -> String {
        match self {
            Job::Home => urls::HOME.to_string(),
            Job::Search => urls::SEARCH_PAGE.to_string(),
            Job::TagIndex => urls::TAG_INDEX.to_string(),
            Job::Page(id) => site.url(*id),
            Job::KindIndex(kind) => urls::kind_index(site.folder(*kind)),
            Job::Level(i) => urls::level(&site.config.levels[*i].slug),
            Job::Tag(slug) => urls::tag(slug),
            Job::Handout(id) => urls::handout(&site.url(*id)),
            Job::Slides(id) => urls::slides(&site.url(*id)),
            Job::Print => urls::PRINT_PAGE.to_string(),
            Job::LevelQuiz(i) => urls::level_quiz(&site.config.levels[*i].slug),
            Job::Terms => urls::TERMS_PAGE.to_string(),
            Job::Mine => urls::MINE_PAGE.to_string(),
            Job::Matrix => urls::MATRIX_PAGE.to_string(),
            Job::Cases => urls::CASES_PAGE.to_string(),
            Job::Chain => urls::CHAIN_PAGE.to_string(),
            Job::NotFound => urls::NOT_FOUND_PAGE.to_string(),
        }
    }

    pub fn template(&self, site: &Site) -> &'static str {
        match self {
            Job::Home => "home.html",
            Job::Search => "search.html",
            Job::TagIndex => "tags.html",
            Job::Page(id) if site.page(*id).kind == Kind::Course => "course.html",
            Job::Page(_) => "page.html",
            Job::Handout(_) => "handout.html",
            Job::Slides(_) => "slides.html",
            Job::Print => "print.html",
            Job::LevelQuiz(_) => "quiz.html",
            Job::Terms => "terms.html",
            Job::Mine => "mine.html",
            Job::Matrix => "overview-problems.html",
            Job::Cases => "overview-cases.html",
            Job::Chain => "overview-chain.html",
            Job::NotFound => "404.html",
            Job::KindIndex(_) => "kind.html",
            Job::Level(_) => "level.html",
            Job::Tag(_) => "tag.html",
        }
    }

    /// The pages whose title, summary or other data this file shows, besides the data
    /// every file shows (`site`, see `views::site_view`).
    pub fn shows(&self, site: &Site) -> Vec<PageId> {
        match self {
            Job::Home => home_pages(site).to_vec(),
            Job::Search | Job::TagIndex => Vec::new(),
            Job::Page(id) => {
                let mut shown = page_relations(site, *id);
                shown.push(*id);
                if site.page(*id).kind == Kind::Course {
                    shown.extend(course::handout_shows(site, *id));
                    shown.sort_unstable();
                    shown.dedup();
                }
                shown
            }
            Job::Handout(id) => course::handout_shows(site, *id),
            Job::Slides(id) => slides_shows(site, *id),
            Job::Print => (0..site.pages.len()).collect(),
            Job::LevelQuiz(i) => level_quiz_shows(site, *i),
            Job::Terms => terms_shows(site),
            Job::Mine | Job::NotFound => Vec::new(),
            Job::Matrix => overview::shows(site, &[Kind::Problem]),
            Job::Cases => overview::shows(site, &[Kind::Case]),
            Job::Chain => overview::shows(site, &[Kind::Responsibility]),
            Job::Level(i) => {
                let mut shown: Vec<PageId> = Vec::new();
                for p in site.problems_of_level(&site.config.levels[*i].slug) {
                    shown.push(p);
                    shown.extend(site.pages[p].names(p));
                    shown.extend(site.pages[p].backlinks.iter().copied());
                }
                shown.sort_unstable();
                shown.dedup();
                shown
            }
            Job::KindIndex(Kind::Countermeasure) => {
                // Grouped by the level of the problems they answer.
                let mut shown = site.pages_of(Kind::Countermeasure).to_vec();
                for &c in site.pages_of(Kind::Countermeasure) {
                    shown.extend(overview::related_of_kind(site, c, Kind::Problem));
                }
                shown.sort_unstable();
                shown.dedup();
                shown
            }
            Job::KindIndex(kind) => site.pages_of(*kind).to_vec(),

            Job::Tag(slug) => site.tags.get(slug).cloned().unwrap_or_default(),
        }
    }
}

/// Every file of the site, in a fixed order.
pub fn all(site: &Site) -> Vec<Job> {
    let mut jobs = vec![Job::Home, Job::TagIndex, Job::Search];
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.extend(site.config.kinds_present().map(Job::KindIndex));
    jobs.extend((0..site.config.levels.len()).map(Job::Level));
    jobs.extend(site.tags.keys().cloned().map(Job::Tag));
    for &course in site.pages_of(Kind::Course) {
        jobs.push(Job::Handout(course));
        jobs.push(Job::Slides(course));
    }
    if site.has_print_page() {
        jobs.push(Job::Print);
    }
    jobs.extend(
        (0..site.config.levels.len())
            .filter(|&i| has_quiz(site, i))
            .map(Job::LevelQuiz),
    );
    if !site.glossary.terms.is_empty() {
        jobs.push(Job::Terms);
    }
    jobs.push(Job::Mine);
    jobs.push(Job::NotFound);
    if !site.pages_of(Kind::Problem).is_empty() {
        jobs.push(Job::Matrix);
    }
    if !site.pages_of(Kind::Case).is_empty() {
        jobs.push(Job::Cases);
    }
    if !site.pages_of(Kind::Responsibility).is_empty() {
        jobs.push(Job::Chain);
    }
    jobs
}

/// Whether a level's problem categories have questions (and so a self-test page).
pub fn has_quiz(site: &Site, level: usize) -> bool {
    site.problems_of_level(&site.config.levels[level].slug)
        .any(|p| !site.page(p).meta.quiz.is_empty())
}

/// A level's self-test shows its problems and the sources of their questions.
fn level_quiz_shows(site: &Site, level: usize) -> Vec<PageId> {
    let mut shown: Vec<PageId> = Vec::new();
    for p in site.problems_of_level(&site.config.levels[level].slug) {
        shown.push(p);
        shown.extend(site.pages[p].referenced("quiz"));
    }
    shown.sort_unstable();
    shown.dedup();
    shown
}

/// The glossary page shows every term page and the sources each cites.
fn terms_shows(site: &Site) -> Vec<PageId> {
    let mut shown: Vec<PageId> = Vec::new();
    for kind in crate::terms::TERM_KINDS {
        for &p in site.pages_of(kind) {
            shown.push(p);
            shown.extend(site.pages[p].referenced("sources"));
        }
    }
    shown.sort_unstable();
    shown.dedup();
    shown
}

/// A presentation shows its course and the titles and summaries of the units' pages.
fn slides_shows(site: &Site, course: PageId) -> Vec<PageId> {
    let mut shown: Vec<PageId> = std::iter::once(course)
        .chain(course::unit_pages(site, course).into_iter().flatten())
        .collect();
    shown.sort_unstable();
    shown.dedup();
    shown
}

/// The pages the home page lists (besides `site`): the responsibility types.
pub fn home_pages(site: &Site) -> &[PageId] {
    site.pages_of(Kind::Responsibility)
}

/// The pages a page's own file shows besides itself: what it names (references and body
/// links), what names it (back-links), and its neighbours in reading order.
pub fn page_relations(site: &Site, id: PageId) -> Vec<PageId> {
    let record = &site.pages[id];
    let (prev, next) = site.neighbours(id);
    let mut related: Vec<PageId> = record
        .names(id)
        .into_iter()
        .chain(record.backlinks.iter().copied())
        .chain(crate::link::term_pages(&record.term_mentions))
        .chain(record.term_backlinks.iter().copied())
        .chain(prev)
        .chain(next)
        .collect();
    related.sort_unstable();
    related.dedup();
    related
}

/// The files that show page `id`'s body (what a text-only edit changes): its own page,
/// the handouts of the courses it is in, and `print.html`. (The self-tests and the glossary
/// show only front matter: titles, summaries, questions, sources.)
pub fn showing_body(site: &Site, id: PageId) -> BTreeSet<Job> {
    let mut jobs = BTreeSet::from([Job::Page(id)]);
    for &course in site.pages_of(Kind::Course) {
        if course::unit_pages(site, course)
            .iter()
            .flatten()
            .any(|&p| p == id)
        {
            jobs.insert(Job::Handout(course));
        }
    }
    if site.has_print_page() {
        jobs.insert(Job::Print);
    }
    jobs
}

/// Every file that shows something of page `id`: the inverse of `Job::shows`.
pub fn showing(site: &Site, id: PageId) -> BTreeSet<Job> {
    let page = site.page(id);
    let mut jobs: BTreeSet<Job> = page_relations(site, id)
        .into_iter()
        .chain([id])
        .map(Job::Page)
        .collect();
    jobs.insert(Job::KindIndex(page.kind));
    if page.kind == Kind::Problem
        && !overview::related_of_kind(site, id, Kind::Countermeasure).is_empty()
    {
        jobs.insert(Job::KindIndex(Kind::Countermeasure));
    }
    jobs.extend(
        page.meta
            .tags
            .iter()
            .filter(|t| site.tags.contains_key(*t))
            .cloned()
            .map(Job::Tag),
    );
    // A level page shows its problems and the pages they name or are named by.
    for (i, level) in site.config.levels.iter().enumerate() {
        let shows_it = site.problems_of_level(&level.slug).any(|p| {
            p == id || site.pages[p].names(p).contains(&id) || site.pages[p].backlinks.contains(&id)
        });
        if shows_it {
            jobs.insert(Job::Level(i));
        }
    }
    for (job, kind) in [
        (Job::Matrix, Kind::Problem),
        (Job::Cases, Kind::Case),
        (Job::Chain, Kind::Responsibility),
    ] {
        if !site.pages_of(kind).is_empty() && overview::shows(site, &[kind]).contains(&id) {
            jobs.insert(job);
        }
    }
    if home_pages(site).contains(&id) {
        jobs.insert(Job::Home);
    }
    for &course in site.pages_of(Kind::Course) {
        if course::handout_shows(site, course).contains(&id) {
            jobs.insert(Job::Handout(course));
            jobs.insert(Job::Page(course));
        }
        if slides_shows(site, course).contains(&id) {
            jobs.insert(Job::Slides(course));
        }
    }
    if site.has_print_page() {
        jobs.insert(Job::Print);
    }
    for level in 0..site.config.levels.len() {
        if has_quiz(site, level) && level_quiz_shows(site, level).contains(&id) {
            jobs.insert(Job::LevelQuiz(level));
        }
    }
    if !site.glossary.terms.is_empty() && terms_shows(site).contains(&id) {
        jobs.insert(Job::Terms);
    }
    jobs
}
