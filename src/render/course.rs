//! What a trainer prints and projects: the course page's data, the handout (one printable
//! document per course), the presentation, and the whole-site print page.
//!
//! A handout holds the course's pages in unit order, each starting on a new sheet, with
//! their headings moved under the unit's heading and their ids prefixed (`p<id>-`) so that
//! they stay unique in one document. Links to pages in the handout point inside it; other
//! links go to the site. Back-links and navigation are left out; the sources of all the
//! pages are listed once at the end.

use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Layout, LinkTarget};
use crate::site::{PageId, Site};
use crate::urls;

use super::views::{self, LinkView, SourceView};

/// A course as the course page, its handout and its presentation see it.
#[derive(Debug, Clone, Serialize)]
pub struct CourseView {
    pub audience: String,
    /// 学时, as written (`2`, `1.5`).
    pub duration: String,
    pub period_minutes: u32,
    /// Sum of the units' minutes (those that give them).
    pub planned_minutes: u32,
    pub objectives: Vec<String>,
    pub units: Vec<UnitView>,
    /// The sources of every page of the course, each once.
    pub sources: Vec<SourceView>,
    /// Relative to the site root.
    pub handout_url: String,
    pub slides_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub title: String,
    pub minutes: Option<u32>,
    pub notes: String,
    pub questions: Vec<String>,
    pub pages: Vec<LinkView>,
}

/// A page inside a printed document: its data and its body laid out for the document.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedPage {
    pub anchor: String,
    pub link: LinkView,
    pub aliases: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub content: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedUnit {
    pub title: String,
    pub anchor: String,
    pub pages: Vec<PrintedPage>,
}

/// The pages of a course's units, in order, each once (a page in two units is printed in
/// the first).
pub fn unit_pages(site: &Site, course: PageId) -> Vec<Vec<PageId>> {
    let mut seen = Vec::new();
    let folders = |written: &str| -> Option<PageId> {
        let (folder, slug) = written
            .trim_start_matches(markdown::INTERNAL_LINK_PREFIX)
            .trim_end_matches(".md")
            .split_once('/')?;
        let kind = site.config.kinds.iter().find(|k| k.folder == folder)?;
        let kind = crate::content::Kind::from_slug(&kind.slug)?;
        site.pages_of(kind)
            .iter()
            .copied()
            .find(|&id| site.page(id).slug == slug)
    };
    site.page(course)
        .meta
        .units
        .iter()
        .map(|unit| {
            unit.pages
                .iter()
                .filter_map(|written| folders(written))
                .filter(|id| {
                    let first = !seen.contains(id);
                    seen.push(*id);
                    first
                })
                .collect()
        })
        .collect()
}

pub fn course_view(site: &Site, id: PageId) -> CourseView {
    let page = site.page(id);
    let pages = unit_pages(site, id);
    let units = page
        .meta
        .units
        .iter()
        .zip(&pages)
        .map(|(unit, ids)| UnitView {
            title: unit.title.clone(),
            minutes: unit.minutes,
            notes: unit.notes.clone().unwrap_or_default(),
            questions: unit.questions.clone(),
            pages: ids.iter().map(|&p| views::link_view(site, p)).collect(),
        })
        .collect();
    let folder = urls::course_folder(&site.url(id));
    CourseView {
        audience: page.meta.audience.clone().unwrap_or_default(),
        duration: number_text(page.meta.duration.unwrap_or_default()),
        period_minutes: site.config.period_minutes,
        planned_minutes: page.meta.units.iter().filter_map(|u| u.minutes).sum(),
        objectives: page.meta.objectives.clone(),
        units,
        sources: sources_of(site, std::iter::once(id).chain(pages.into_iter().flatten())),
        handout_url: format!("{folder}/handout.html"),
        slides_url: format!("{folder}/slides.html"),
    }
}

/// `2` rather than `2.0`; `1.5` stays.
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// The sources the given pages cite, each once, in the order of the sources' kind.
fn sources_of(site: &Site, pages: impl Iterator<Item = PageId>) -> Vec<SourceView> {
    let mut ids: Vec<PageId> = pages
        .flat_map(|p| site.pages[p].referenced("sources").to_vec())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|s| views::source_view(site, s))
        .collect()
}

/// The id prefix of a page inside a printed document.
fn prefix(id: PageId) -> String {
    format!("p{id}-")
}

/// A page's body laid out inside a document that holds `included`, whose file is `path`.
fn printed_page(
    site: &Site,
    id: PageId,
    included: &[PageId],
    path: &str,
    offset: u8,
) -> Result<PrintedPage, Diagnostic> {
    let page = site.page(id);
    let text = site.body(id)?;
    let root = urls::root_for(path);
    let resolve = |target_path: &str| {
        site.by_content_path.get(target_path).map(|&target| {
            let inside = included.contains(&target);
            LinkTarget {
                href: if inside {
                    format!("#{}", prefix(target).trim_end_matches('-'))
                } else {
                    format!("{root}{}", site.url(target))
                },
                label: site.page(target).short_title().to_string(),
                id_prefix: inside.then(|| prefix(target)),
            }
        })
    };
    let layout = Layout {
        heading_offset: offset,
        id_prefix: prefix(id),
        labels: super::markup_labels(&site.theme.strings),
    };
    let body = markdown::render_in(&text, &page.content_path, &resolve, &layout, None);
    Ok(PrintedPage {
        anchor: prefix(id).trim_end_matches('-').to_string(),
        link: views::link_view(site, id),
        aliases: page.meta.aliases.clone(),
        facts: views::facts(site, id, &site.theme.strings),
        content: body.html,
    })
}

/// The units of a course's handout, with their pages laid out for printing.
pub fn handout_units(
    site: &Site,
    course: PageId,
    path: &str,
) -> Result<Vec<PrintedUnit>, Diagnostic> {
    let pages = unit_pages(site, course);
    let included: Vec<PageId> = pages.iter().flatten().copied().collect();
    site.page(course)
        .meta
        .units
        .iter()
        .zip(pages)
        .enumerate()
        .map(|(i, (unit, ids))| {
            Ok(PrintedUnit {
                title: unit.title.clone(),
                anchor: format!("unit-{}", i + 1),
                pages: ids
                    .iter()
                    .map(|&p| printed_page(site, p, &included, path, 2))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// Every page of the site in reading order, grouped by kind, for `print.html`.
pub fn whole_site(site: &Site, path: &str) -> Result<Vec<PrintedUnit>, Diagnostic> {
    let all: Vec<PageId> = (0..site.pages.len()).collect();
    site.config
        .kinds_present()
        .filter(|k| !site.pages_of(*k).is_empty())
        .map(|kind| {
            Ok(PrintedUnit {
                title: site.kind_name(kind).to_string(),
                anchor: format!("kind-{}", kind.slug()),
                pages: site
                    .pages_of(kind)
                    .iter()
                    .map(|&p| printed_page(site, p, &all, path, 2))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// The course's pages and what their bodies show (titles of linked pages, sources): what
/// its handout displays.
pub fn handout_shows(site: &Site, course: PageId) -> Vec<PageId> {
    let mut shown: Vec<PageId> = vec![course];
    for id in unit_pages(site, course).into_iter().flatten() {
        shown.push(id);
        shown.extend(site.pages[id].names(id));
    }
    shown.sort_unstable();
    shown.dedup();
    shown
}
