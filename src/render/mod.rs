//! Rendering: the `Site` → HTML files, through the theme's Tera templates.
//!
//! `jobs` says which files there are and what each shows, `views` builds the data each
//! template sees, and this module runs the jobs in parallel, handing each file to `emit`
//! as soon as it is made, so a large site is never held in memory whole. Rendering a page
//! also leaves its plain text and anchors in the site model, for the index and for
//! checking `#anchor` links (`check_anchors`, once every page is rendered). The pipeline
//! (`lib.rs`) renders the shared files first, then the pages a slice at a time.

pub mod course;
pub mod jobs;
pub mod overview;
pub mod views;

use rayon::prelude::*;
use tera::Context;

use crate::diagnostics::Diagnostic;
use crate::markdown::{self, LinkTarget, RenderedMarkdown};
use crate::search::cards;
use crate::site::{PageId, RenderedText, Site};
use crate::urls;

pub use jobs::Job;

/// A file of the finished site, with its path relative to the output folder (`/`-separated).
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Where finished files go as soon as they are made (the staging folder, or nowhere for
/// `check`).
pub type Emit<'a> = dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync + 'a;

/// Makes the data every template shares available to the theme; call once per site version
/// before rendering.
pub fn prepare(site: &mut Site) {
    let view = views::site_view(site);
    site.theme.set_global("site", &view);
    let assets = site.theme.asset_paths();
    site.theme.set_global("assets", &assets);
}

/// Renders the files that are not pages (home, indexes, tags, levels, courses, overviews;
/// a handout reads the bodies of its pages through `Site::body`). Returns how many, or
/// every problem.
pub fn render_shared(
    site: &Site,
    term_tags: &TermTags,
    emit: &Emit<'_>,
) -> Result<usize, Vec<Diagnostic>> {
    let jobs: Vec<Job> = jobs::all(site)
        .into_iter()
        .filter(|job| !matches!(job, Job::Page(_)))
        .collect();
    render_jobs(site, term_tags, &jobs, emit)?;
    Ok(jobs.len())
}

/// Renders the pages `ids`, leaving their plain text and anchors in the model.
pub fn render_pages(
    site: &Site,
    term_tags: &TermTags,
    ids: std::ops::Range<PageId>,
    emit: &Emit<'_>,
) -> Result<usize, Vec<Diagnostic>> {
    let jobs: Vec<Job> = ids.map(Job::Page).collect();
    render_jobs(site, term_tags, &jobs, emit)?;
    Ok(jobs.len())
}

/// Renders the given files (for `serve` after an edit), with the site's `term_tags`.
pub fn render_some(
    site: &Site,
    term_tags: &TermTags,
    jobs: &[Job],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let files = std::sync::Mutex::new(Vec::new());
    render_jobs(site, term_tags, jobs, &|file| {
        if let Ok(mut files) = files.lock() {
            files.push(file);
        }
        Ok(())
    })?;
    let mut files = files.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn render_jobs(
    site: &Site,
    term_tags: &TermTags,
    jobs: &[Job],
    emit: &Emit<'_>,
) -> Result<(), Vec<Diagnostic>> {
    let failures: Vec<Diagnostic> = jobs
        .par_iter()
        .filter_map(|job| render_job(site, term_tags, job).and_then(emit).err())
        .collect();
    // One broken template fails every page that uses it: report each problem once.
    let mut problems: Vec<Diagnostic> = Vec::new();
    for problem in failures {
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// For each card number (see `search::cards`), the opening tag of a glossary link to it:
/// made once per build (`term_tags`), not once per link or per slice of pages.
pub type TermTags = Vec<Option<String>>;

pub fn term_tags(site: &Site) -> TermTags {
    use crate::terms::{TermTarget, TERM_KINDS};
    let pages = site.pages.iter().enumerate().map(|(id, record)| {
        TERM_KINDS
            .contains(&record.page.kind)
            .then(|| (TermTarget::Page(id), site.url(id)))
    });
    let tags = site.config.tags.iter().enumerate();
    let tags = tags.map(|(i, tag)| Some((TermTarget::Tag(i), urls::tag(&tag.slug))));
    pages
        .chain(tags)
        .map(|target| {
            target.map(|(target, url)| {
                format!(
                    "<a class=\"term\" href=\"../{}\" data-term=\"{}\">",
                    markdown::escape_attribute(&url),
                    cards::card_number(site, target)
                )
            })
        })
        .collect()
}

/// A page's Markdown body as HTML, table of contents and plain text. Pages all sit one
/// folder down, so links to pages resolve relative to `../`.
fn render_body(
    site: &Site,
    term_tags: &TermTags,
    id: PageId,
) -> Result<RenderedMarkdown, Diagnostic> {
    let page = site.page(id);
    let body = site.body(id)?;
    let resolve = |path: &str| {
        site.by_content_path.get(path).map(|&target| LinkTarget {
            href: format!("../{}", site.url(target)),
            label: site.page(target).short_title().to_string(),
            id_prefix: None,
        })
    };
    let open_tag = |term| term_tags.get(cards::card_number(site, term))?.as_deref();
    let terms = markdown::TermLinks {
        mentions: &site.pages[id].term_mentions,
        open_tag: &open_tag,
    };
    Ok(markdown::render_in(
        &body,
        &page.content_path,
        &resolve,
        &markdown::Layout {
            labels: markup_labels(&site.theme.strings),
            ..Default::default()
        },
        Some(&terms),
    ))
}

/// The accessible names of what the Markdown renderer adds, from the theme's strings.
fn markup_labels(strings: &crate::theme::Strings) -> markdown::Labels {
    markdown::Labels {
        table: strings.get("markup.table"),
        heading_anchor: strings.get("markup.heading_anchor"),
    }
}

fn render_job(site: &Site, term_tags: &TermTags, job: &Job) -> Result<OutputFile, Diagnostic> {
    let path = job.path(site);
    let strings = &site.theme.strings;
    let mut context = Context::new();
    context.insert("root", &urls::root_for(&path));
    match job {
        Job::Home => {
            context.insert("responsibilities", &views::home_links(site));
            let kind = crate::content::Kind::Responsibility;
            context.insert("responsibility_kind", &views::kind_view(site, kind));
        }
        Job::Search | Job::TagIndex => {}
        Job::Page(id) => {
            let body = render_body(site, term_tags, *id)?;
            let _ = site.pages[*id].rendered.set(RenderedText {
                plain_text: body.plain_text,
                anchors: body.anchors,
                sections: body.sections,
            });
            context.insert(
                "page",
                &views::page_view(site, *id, body.html, body.toc, strings),
            );
            context.insert("breadcrumbs", &views::breadcrumbs(site, *id));
            let (prev, next) = views::neighbours(site, *id);
            context.insert("prev", &prev);
            context.insert("next", &next);
        }
        Job::KindIndex(kind) => {
            context.insert("kind", &views::kind_view(site, *kind));
            context.insert("groups", &views::kind_groups(site, *kind, strings));
        }
        Job::Level(i) => {
            context.insert("level", &views::level_view(site, *i));
            let columns: Vec<PageId> = Vec::new();
            let rows: Vec<overview::MatrixRow> = site
                .problems_of_level(&site.config.levels[*i].slug)
                .map(|p| overview::problem_row(site, p, &columns))
                .collect();
            context.insert("rows", &rows);
            let quiz =
                jobs::has_quiz(site, *i).then(|| urls::level_quiz(&site.config.levels[*i].slug));
            context.insert("quiz_url", &quiz);
        }
        Job::Tag(slug) => {
            context.insert("tag", &views::tag_link(site, slug));
            context.insert("groups", &views::tag_groups(site, slug));
        }
        Job::Handout(id) | Job::Slides(id) => {
            context.insert(
                "page",
                &views::page_view(site, *id, String::new(), Vec::new(), strings),
            );
            if matches!(job, Job::Handout(_)) {
                context.insert("units", &course::handout_units(site, *id, &path)?);
            }
            context.insert("built", &build_date());
        }
        Job::Print => {
            context.insert("groups", &course::whole_site(site, &path)?);
            context.insert("built", &build_date());
        }
        Job::LevelQuiz(i) => {
            let level = &site.config.levels[*i];
            context.insert("level", &views::level_view(site, *i));
            let pages: Vec<(views::LinkView, Vec<views::QuestionView>)> = site
                .problems_of_level(&level.slug)
                .map(|p| (views::link_view(site, p), views::quiz_view(site, p)))
                .filter(|(_, quiz)| !quiz.is_empty())
                .collect();
            context.insert("pages", &pages);
        }
        Job::Terms => {
            context.insert("groups", &views::terms_view(site));
            context.insert("entries", &views::term_entries(site));
        }
        Job::Mine => {}
        Job::NotFound => context.insert("folders", &views::top_folders(site)),
        Job::Matrix => context.insert("matrix", &overview::matrix(site)),
        Job::Cases => {
            let (named, examples) = overview::case_rows(site);
            context.insert("named", &named);
            context.insert("examples", &examples);
        }
        Job::Chain => context.insert("chain", &overview::chain(site)),
    }
    let html = site.theme.render(job.template(site), &context)?;
    Ok(OutputFile {
        path,
        contents: html,
    })
}

/// The date printed on handouts: `SOURCE_DATE_EPOCH` if set (reproducible builds), else
/// today (UTC), as `2026-12-01`.
fn build_date() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let days = (seconds / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// An error for every `#anchor` link (in the given pages) to a place that does not exist.
pub fn check_anchors(site: &Site, pages: impl Iterator<Item = PageId>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for id in pages {
        let record = &site.pages[id];
        let to_pages = record
            .links
            .iter()
            .filter_map(|l| l.fragment.as_ref().map(|f| (l.target, f, l.line, l.column)));
        let on_page = record
            .local_anchors
            .iter()
            .map(|(f, line, column)| (id, f, *line, *column));
        for (target, fragment, line, column) in to_pages.chain(on_page) {
            let anchors: &[String] = site.pages[target]
                .rendered
                .get()
                .map_or(&[], |r| r.anchors.as_slice());
            if fragment.is_empty() || anchors.iter().any(|a| a == fragment) {
                continue;
            }
            let listed: Vec<&str> = anchors.iter().take(12).map(String::as_str).collect();
            let d = Diagnostic::error(
                &record.page.file,
                format!(
                    "link to `#{fragment}`: {} has no such heading",
                    site.page(target).meta.title
                ),
            )
            .at(line, column)
            .suggesting(fragment, anchors.iter().map(String::as_str))
            .with_hint_if_none(if listed.is_empty() {
                "the page has no headings to link to".to_string()
            } else {
                format!(
                    "anchors are made from heading text; the page has: {}",
                    listed.join(", ")
                )
            });
            problems.push(d);
        }
    }
    problems
}
