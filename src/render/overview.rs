//! The field at a glance, computed from the typed references so that it stays true when
//! content changes: problem categories against countermeasures (with each problem's cases),
//! the cases side by side, and the responsibility chain.

use serde::Serialize;

use crate::content::Kind;
use crate::site::{PageId, Site};

use super::views::{self, LinkView};

/// Pages of `kind` that a page names in its typed references or that name it in theirs (a
/// passing link in the text is not a relation the overview shows).
pub fn related_of_kind(site: &Site, id: PageId, kind: Kind) -> Vec<PageId> {
    let record = &site.pages[id];
    let mut found: Vec<PageId> = record
        .typed_references(id)
        .into_iter()
        .chain(record.referenced_by.iter().copied())
        .filter(|&p| site.page(p).kind == kind)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// One row of the matrix: a problem, its countermeasures (by column) and its cases.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub problem: LinkView,
    pub level: String,
    /// Per countermeasure column: does it answer this problem?
    pub cells: Vec<bool>,
    pub countermeasures: Vec<LinkView>,
    pub cases: Vec<LinkView>,
    pub responsibilities: Vec<LinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub columns: Vec<LinkView>,
    pub rows: Vec<MatrixRow>,
}

pub fn problem_row(site: &Site, problem: PageId, columns: &[PageId]) -> MatrixRow {
    let measures = related_of_kind(site, problem, Kind::Countermeasure);
    let level = site
        .page(problem)
        .meta
        .level
        .as_deref()
        .and_then(|l| site.config.level(l))
        .map(|l| l.name.clone())
        .unwrap_or_default();
    MatrixRow {
        problem: views::link_view(site, problem),
        level,
        cells: columns.iter().map(|c| measures.contains(c)).collect(),
        countermeasures: measures
            .iter()
            .map(|&m| views::link_view(site, m))
            .collect(),
        cases: related_of_kind(site, problem, Kind::Case)
            .into_iter()
            .map(|c| views::link_view(site, c))
            .collect(),
        responsibilities: related_of_kind(site, problem, Kind::Responsibility)
            .into_iter()
            .map(|r| views::link_view(site, r))
            .collect(),
    }
}

/// Above this many countermeasures the matrix has no columns, only each problem's list: a
/// table of thousands of columns helps nobody.
pub const MATRIX_COLUMNS_LIMIT: usize = 40;

/// Problems (in level order) × countermeasures.
pub fn matrix(site: &Site) -> Matrix {
    let all = site.pages_of(Kind::Countermeasure);
    let columns: Vec<PageId> = if all.len() <= MATRIX_COLUMNS_LIMIT {
        all.to_vec()
    } else {
        Vec::new()
    };
    let rows = site
        .config
        .levels
        .iter()
        .flat_map(|level| site.problems_of_level(&level.slug))
        .map(|p| problem_row(site, p, &columns))
        .collect();
    Matrix {
        columns: columns.iter().map(|&c| views::link_view(site, c)).collect(),
        rows,
    }
}

/// A case in the comparison table.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub case: LinkView,
    pub place: String,
    pub date: String,
    pub mechanism: String,
    pub figures: Vec<String>,
    pub responsibilities: Vec<LinkView>,
    pub problems: Vec<LinkView>,
    pub countermeasures: Vec<LinkView>,
}

/// The cases, named practices first, then the examples from the sources.
pub fn case_rows(site: &Site) -> (Vec<CaseRow>, Vec<CaseRow>) {
    let row = |id: PageId| {
        let meta = &site.page(id).meta;
        let of = |kind| {
            related_of_kind(site, id, kind)
                .into_iter()
                .map(|p| views::link_view(site, p))
                .collect()
        };
        CaseRow {
            case: views::link_view(site, id),
            place: meta.place.clone().unwrap_or_default(),
            date: meta.date.clone().unwrap_or_default(),
            mechanism: meta.mechanism.clone().unwrap_or_default(),
            figures: meta.figures.clone(),
            responsibilities: of(Kind::Responsibility),
            problems: of(Kind::Problem),
            countermeasures: of(Kind::Countermeasure),
        }
    };
    let (examples, named): (Vec<PageId>, Vec<PageId>) = site
        .pages_of(Kind::Case)
        .iter()
        .partition(|&&id| site.page(id).meta.illustrative);
    (
        named.into_iter().map(row).collect(),
        examples.into_iter().map(row).collect(),
    )
}

/// A link of the responsibility chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainLink {
    pub responsibility: LinkView,
    pub bearer: String,
    pub problems: Vec<LinkView>,
    pub countermeasures: Vec<LinkView>,
}

/// The responsibility types in reading order, each with who bears it and its relations.
pub fn chain(site: &Site) -> Vec<ChainLink> {
    site.pages_of(Kind::Responsibility)
        .iter()
        .map(|&id| ChainLink {
            responsibility: views::link_view(site, id),
            bearer: site.page(id).meta.bearer.clone().unwrap_or_default(),
            problems: related_of_kind(site, id, Kind::Problem)
                .into_iter()
                .map(|p| views::link_view(site, p))
                .collect(),
            countermeasures: related_of_kind(site, id, Kind::Countermeasure)
                .into_iter()
                .map(|p| views::link_view(site, p))
                .collect(),
        })
        .collect()
}

/// What the overview pages show: the pages of the kinds they list and the pages those
/// name or are named by.
pub fn shows(site: &Site, kinds: &[Kind]) -> Vec<PageId> {
    let mut shown = Vec::new();
    for &kind in kinds {
        for &id in site.pages_of(kind) {
            shown.push(id);
            shown.extend(site.pages[id].names(id));
            shown.extend(site.pages[id].backlinks.iter().copied());
        }
    }
    shown.sort_unstable();
    shown.dedup();
    shown
}
