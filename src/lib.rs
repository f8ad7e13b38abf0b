//! policykb: a static site generator for an offline, searchable knowledge base.
//!
//! The build is a pipeline of stages, one module each, run in this order by `build`:
//!
//! 1. **load**   (`content::load_sources`): walk `content/`, find every file;
//! 2. **parse**  (`content::parse_page`): read each file, split front matter from
//!    Markdown, check it against the schema (`content::schema`);
//! 3. **link**   (`link::link`): resolve every reference and body link, compute
//!    back-links, and build the one model every later stage reads (`site::Site`);
//! 4. **render** (`render::render_shared`, then `render::render_pages`): Markdown and the
//!    theme's templates, in parallel;
//! 5. **index**  (`search::Indexer`): the Chinese full-text search index. Render and index
//!    take turns a slice of pages at a time, and a build drops each slice's text once it is
//!    indexed, so memory holds the model and one slice of text, not the whole site's;
//! 6. **write**  (`output::Staging`): every file goes to a staging folder as it is made,
//!    swapped in for the output folder only when the whole build succeeded.
//!
//! Every stage reports problems as `Diagnostic`s instead of stopping at the first, so an
//! author sees the complete list of what to fix in one run.

pub mod citations;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod link;
pub mod live;
pub mod markdown;
pub mod output;
pub mod paths;
pub mod pdf;
pub mod placeholders;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod terms;
pub mod theme;
pub mod urls;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{SiteConfig, CONFIG_FILE};
use crate::content::{LoadedContent, Page};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::Unparsed;
use crate::render::{Emit, OutputFile};
use crate::site::{PageRecord, Site};
use crate::theme::Theme;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The knowledge-base root: holds `content/`, and optionally `themes/`, `templates/`, `static/`.
    pub root: PathBuf,
    /// Where the site goes; `None` for `check` (run everything, write nothing).
    pub output: Option<PathBuf>,
    /// Print the handouts and `print.html` to PDF with this browser (`policykb pdf`).
    pub pdf_browser: Option<PathBuf>,
}

/// A finished build: counts for the summary line, and the warnings.
#[derive(Debug)]
pub struct BuildReport {
    pub pages_per_kind: Vec<(String, usize)>,
    pub tag_count: usize,
    /// Files written (or, for `check`, that would have been).
    pub files_written: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Each pipeline stage, in order.
    pub stages: Vec<Stage>,
}

/// One pipeline stage's wall time, and the memory the process held when it ended.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: &'static str,
    pub time: Duration,
    /// Resident memory at the end of the stage, and the peak so far, in bytes (where the
    /// system says: Linux's `/proc/self/status`).
    pub resident: Option<u64>,
    pub peak: Option<u64>,
}

impl BuildReport {
    /// `12 问题 · 24 整改措施 · … · 24 标签 · 0 warnings · 0.31 s`
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .pages_per_kind
            .iter()
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        parts.push(format!("{} 标签", self.tag_count));
        parts.push(format!(
            "{} warning{}",
            self.warnings.len(),
            if self.warnings.len() == 1 { "" } else { "s" }
        ));
        parts.push(format!("{:.2} s", self.elapsed.as_secs_f64()));
        parts.join(" · ")
    }
}

/// A build that did not produce a site: every problem found, errors and warnings, sorted.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildFailure {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl From<Diagnostics> for BuildFailure {
    fn from(diagnostics: Diagnostics) -> Self {
        BuildFailure {
            diagnostics: diagnostics.into_sorted(),
        }
    }
}

/// Runs the whole pipeline. On any error nothing is written and every problem is returned.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    run_pipeline(options, false).map(|built| built.report)
}

/// Like `build`, and hands over the checked site too (for tests and tools that inspect it).
pub fn build_site(options: &BuildOptions) -> Result<(BuildReport, Site), BuildFailure> {
    run_pipeline(options, true).map(|built| (built.report, built.site))
}

/// A build's site and what an incremental rebuild needs (see `live`).
pub(crate) struct Built {
    pub report: BuildReport,
    pub site: Site,
    pub index: search::SearchIndex,
    /// What was written, for in-place updates to keep the manifest true.
    pub manifest: output::Manifest,
}

/// Runs the pipeline. With `keep_text`, every page's body and plain text stay in the site
/// model (for `serve`, which renders and indexes pages again after an edit); without, each
/// slice of pages drops them once rendered and indexed, so a build holds one slice of text.
pub(crate) fn run_pipeline(options: &BuildOptions, keep_text: bool) -> Result<Built, BuildFailure> {
    let started = Instant::now();
    let mut stages = StageTimer::new();
    let mut problems = Diagnostics::default();
    let root = &options.root;
    if let Some(output) = &options.output {
        if let Err(error) = output::check_output_folder(root, output) {
            problems.push(output_diagnostic(error));
            return Err(problems.into());
        }
    }
    let config = read_config(root, &mut problems).ok_or_else(|| take(&mut problems))?;
    let theme = Theme::load(root, &config.theme)
        .map_err(|theme_problems| problems.extend(theme_problems))
        .ok();
    let config_has_errors = problems.has_errors();
    let mut loaded = content::load_sources(root, &config, config_has_errors, problems.list());
    // The last commit dates come from git while the pages are parsed and linked.
    let wanted: std::collections::HashSet<String> = loaded
        .files
        .iter()
        .map(|f| f.content_path.clone())
        .collect();
    let commit_dates = {
        let root = root.clone();
        std::thread::spawn(move || content::commit_dates(&root, &wanted))
    };
    stages.lap("load");
    let (pages, unparsed) = parse_all(&mut loaded, keep_text, &mut problems);
    stages.lap("parse");
    let Some(theme) = theme else {
        return Err(problems.into());
    };
    let mut site = link::link(
        config,
        pages,
        &unparsed,
        theme,
        loaded.assets,
        root,
        problems.list(),
    );
    problems.extend(paths::check_claims(&output_claims(&site)));
    site.updated = commit_dates.join().unwrap_or_default();
    if !keep_text {
        // Where each front-matter value stands serves only the messages of parse and link.
        for record in &mut site.pages {
            record.page.positions = Default::default();
        }
    }
    stages.lap("link");
    if problems.has_errors() {
        return Err(problems.into());
    }
    render::prepare(&mut site);
    let staging = match &options.output {
        Some(output) => match output::Staging::begin(root, output, &|| {
            eprintln!(
                "another build is writing {}; waiting for it to finish …",
                output.display()
            )
        }) {
            Ok(staging) => Some(staging),
            Err(error) => {
                problems.push(output_diagnostic(error));
                return Err(problems.into());
            }
        },
        None => None,
    };
    let compress = site.config.compress;
    let emit = |file: OutputFile| match &staging {
        Some(staging) => {
            staging
                .write(&file.path, &file.contents)
                .map_err(output_diagnostic)?;
            match compress.then(|| output::compress::gzipped(&file.path, &file.contents)) {
                Some(Some((path, bytes))) => {
                    staging.write(&path, &bytes).map_err(output_diagnostic)
                }
                _ => Ok(()),
            }
        }
        None => Ok(()),
    };
    let keep_text = keep_text || site.config.search.elasticlunr;
    let (mut files_written, index) =
        match render_and_index(&mut site, &emit, keep_text, &mut stages) {
            Ok(done) => done,
            Err(stage_problems) => {
                problems.extend(stage_problems);
                return Err(problems.into());
            }
        };
    files_written += index.file_count();
    if site.config.search.elasticlunr {
        files_written += export_elasticlunr(&site, &index, &emit, &mut problems);
    }
    stages.lap("index");
    for file in static_files(&site) {
        files_written += 1;
        if let Err(problem) = emit(file) {
            problems.push(problem);
        }
    }
    if problems.has_errors() {
        return Err(problems.into());
    }
    if let (Some(browser), Some(staging)) = (&options.pdf_browser, &staging) {
        for page in pdf_pages(&site) {
            let printed = pdf::print(browser, staging.dir(), &page)
                .map_err(|e| Diagnostic::error(&page, e.to_string()))
                .and_then(|()| {
                    staging
                        .add_written(&pdf::pdf_path(&page))
                        .map_err(output_diagnostic)
                });
            match printed {
                Ok(()) => files_written += 1,
                Err(problem) => {
                    problems.push(problem);
                    return Err(problems.into());
                }
            }
        }
        stages.lap("pdf");
    }
    let mut manifest = output::Manifest::default();
    if let Some(staging) = staging {
        match staging.commit() {
            Ok(written) => manifest = written,
            Err(error) => {
                problems.push(output_diagnostic(error));
                return Err(problems.into());
            }
        }
        stages.lap("write");
    }
    let report = BuildReport {
        pages_per_kind: pages_per_kind(&site),
        tag_count: site.config.tags.len(),
        files_written,
        warnings: problems.into_sorted(),
        elapsed: started.elapsed(),
        stages: stages.laps,
    };
    Ok(Built {
        report,
        site,
        index,
        manifest,
    })
}

/// Pages per slice of the render → index stream (a whole number of text chunks).
const SLICE: usize = 256 * search::TEXT_CHUNK;

/// Renders the shared files, then the pages a slice at a time, each slice indexed as soon
/// as it is rendered and, unless `keep_text`, its text dropped; then checks `#anchor` links
/// and finishes the index. Returns how many files rendering wrote, and the index.
fn render_and_index(
    site: &mut Site,
    emit: &Emit<'_>,
    keep_text: bool,
    stages: &mut StageTimer,
) -> Result<(usize, search::SearchIndex), Vec<Diagnostic>> {
    let term_tags = render::term_tags(site);
    let mut count = render::render_shared(site, &term_tags, emit)?;
    stages.lap("render");
    let mut indexer = search::Indexer::new();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let pages = site.pages.len();
    for start in (0..pages).step_by(SLICE) {
        let ids = start..(start + SLICE).min(pages);
        match render::render_pages(site, &term_tags, ids.clone(), emit) {
            Ok(rendered) => count += rendered,
            // Every slice is still rendered, so that every problem is reported at once.
            Err(slice_problems) => {
                for problem in slice_problems {
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
        }
        stages.lap("render");
        if problems.is_empty() {
            indexer.add(site, ids.clone(), emit)?;
            if !keep_text {
                site.pages[ids].iter_mut().for_each(PageRecord::forget_text);
            }
            stages.lap("index");
        }
    }
    problems.extend(render::check_anchors(site, 0..pages));
    if !problems.is_empty() {
        return Err(problems);
    }
    let index = indexer.finish(site, emit)?;
    stages.lap("index");
    Ok((count, index))
}

/// The pages `policykb pdf` prints: every course's handout, and `print.html` if there is one.
fn pdf_pages(site: &Site) -> Vec<String> {
    let mut pages: Vec<String> = site
        .pages_of(content::Kind::Course)
        .iter()
        .map(|&id| urls::handout(&site.url(id)))
        .collect();
    if site.has_print_page() {
        pages.push(urls::PRINT_PAGE.to_string());
    }
    pages
}

fn take(problems: &mut Diagnostics) -> BuildFailure {
    std::mem::take(problems).into()
}

/// Wall time and memory per pipeline stage, for `--timings` and the benchmark.
struct StageTimer {
    last: Instant,
    laps: Vec<Stage>,
}

impl StageTimer {
    fn new() -> StageTimer {
        StageTimer {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Ends a stretch of work of stage `name`; a stage that runs in several stretches (render
    /// and index take turns) is one entry.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
        // `VmRSS:   123456 kB`
        let kib = |key: &str| {
            let line = status.lines().find(|l| l.starts_with(key))?;
            let number = line[key.len()..].trim().trim_end_matches("kB").trim();
            number.parse::<u64>().ok().map(|k| k * 1024)
        };
        let stage = Stage {
            name,
            time: now - self.last,
            resident: kib("VmRSS:"),
            peak: kib("VmHWM:"),
        };
        match self.laps.iter_mut().find(|s| s.name == name) {
            Some(earlier) => {
                earlier.time += stage.time;
                earlier.resident = stage.resident;
                earlier.peak = stage.peak;
            }
            None => self.laps.push(stage),
        }
        self.last = now;
    }
}

/// Reads `content/site.yaml`; its problems go to `problems`. `None` when the pages cannot
/// be checked without it (unreadable, or no kinds).
fn read_config(root: &Path, problems: &mut Diagnostics) -> Option<SiteConfig> {
    let file = Path::new("content").join(CONFIG_FILE);
    let path = root.join(&file);
    match read_inside(root, &path) {
        Ok(text) => {
            let parsed = SiteConfig::parse(&text, &file);
            problems.extend(parsed.problems);
            parsed.config
        }
        Err(reason) => {
            problems.push(Diagnostic::error(&file, format!("cannot read {}: {reason}", path.display()))
                .with_hint("run the command in a knowledge-base folder (or pass --root DIR); `policykb init DIR` creates one"));
            None
        }
    }
}

/// Reads a file that must not lead out of the knowledge base through a symbolic link.
fn read_inside(root: &Path, path: &Path) -> Result<String, String> {
    let real = path.canonicalize().map_err(|e| e.to_string())?;
    let real_root = root.canonicalize().map_err(|e| e.to_string())?;
    if !real.starts_with(&real_root) {
        return Err("it is a link to a file outside the knowledge base".into());
    }
    fs::read_to_string(&real).map_err(|e| e.to_string())
}

/// Reads and parses every file in parallel, keeping input order so the outcome is
/// deterministic. Each file's text is dropped once parsed, and without `keep_bodies` its
/// body too (linking and rendering read it again, one page at a time: `Page::body_text`).
fn parse_all(
    loaded: &mut LoadedContent,
    keep_bodies: bool,
    problems: &mut Diagnostics,
) -> (Vec<Page>, Unparsed) {
    let parse = |source: content::SourceFile| {
        let (mut page, problems) = content::read_page(&source);
        if let (Some(page), false) = (&mut page, keep_bodies) {
            page.body = String::new();
        }
        (page, problems)
    };
    let results: Vec<_> = std::mem::take(&mut loaded.files)
        .into_par_iter()
        .map(|found| (found.read().map(parse), found))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut unparsed = Unparsed::default();
    for (result, found) in results {
        let (page, file_problems) = match result {
            Ok(parsed) => parsed,
            Err(unreadable) => (None, vec![unreadable]),
        };
        if !file_problems.is_empty() {
            unparsed.damaged.insert(found.content_path.clone());
        }
        problems.extend(file_problems);
        match page {
            Some(page) => pages.push(page),
            None => unparsed.add(found.kind, &found.content_path),
        }
    }
    (pages, unparsed)
}

/// `search: { elasticlunr: true }`: writes the export, warning when it is large; returns how
/// many files it wrote.
fn export_elasticlunr(
    site: &Site,
    index: &search::SearchIndex,
    emit: &Emit<'_>,
    problems: &mut Diagnostics,
) -> usize {
    let files = search::elasticlunr::export(site, &index.fold_pairs());
    let size = files[0].contents.len();
    if size > search::elasticlunr::LARGE_BYTES {
        problems.push(
            Diagnostic::warning(
                Path::new("content").join(CONFIG_FILE),
                format!(
                    "the elasticlunr index is {:.1} MB: a page that uses it downloads all of it \
                     before the first result",
                    size as f64 / 1e6
                ),
            )
            .with_hint(
                "the built-in search (search.html) loads only what a query needs; keep \
                 `search.elasticlunr` only if a portal or theme needs this file",
            ),
        );
    }
    let count = files.len();
    for file in files {
        if let Err(problem) = emit(file) {
            problems.push(problem);
        }
    }
    count
}

/// Theme static files under `static/`, then assets next to their pages (kind folders may not
/// be named `static`, so the two cannot collide).
fn static_files(site: &Site) -> Vec<OutputFile> {
    let theme = site
        .theme
        .static_files
        .iter()
        .map(|(name, bytes)| OutputFile {
            path: site.theme.asset_path(name),
            contents: bytes.clone(),
        });
    let assets = site.assets.iter().map(|asset| OutputFile {
        path: asset.content_path.clone(),
        contents: asset.bytes.clone(),
    });
    theme.chain(assets).collect()
}

/// Every output file that comes from the knowledge base, with its source, in the order
/// a reader would expect the first of two colliding claims to be named.
fn output_claims(site: &Site) -> Vec<paths::Claim> {
    let config_file = Path::new("content").join(CONFIG_FILE);
    let mut claims = Vec::new();
    let mut folders = std::collections::HashSet::new();
    // Two kinds sharing a folder are reported by the configuration.
    for kind in site
        .config
        .kinds_present()
        .filter(|k| folders.insert(site.folder(*k)))
    {
        let what = format!("the index of {}", site.kind_name(kind));
        claims.push(paths::claim(
            urls::kind_index(site.folder(kind)),
            &config_file,
            what,
        ));
    }
    for level in &site.config.levels {
        let what = format!("the page of level `{}`", level.slug);
        claims.push(paths::claim(urls::level(&level.slug), &config_file, what));
    }
    for tag in &site.config.tags {
        let what = format!("the page of tag `{}`", tag.slug);
        claims.push(paths::claim(urls::tag(&tag.slug), &config_file, what));
    }
    // Two pages with one slug are reported by `link` (with the line of `slug:`).
    let mut page_urls = std::collections::HashSet::new();
    for (id, record) in site.pages.iter().enumerate() {
        let url = site.url(id);
        // A slug that cannot be used is reported by the parser already.
        let usable = record.page.slug != "index" && config::is_valid_slug(&record.page.slug);
        if usable && page_urls.insert(url.clone()) {
            claims.push(paths::claim(url, &record.page.file, "the page"));
        }
    }
    for &course in site.pages_of(content::Kind::Course) {
        let url = site.url(course);
        let file = &site.page(course).file;
        claims.push(paths::claim(
            urls::handout(&url),
            file,
            "the course's handout",
        ));
        claims.push(paths::claim(
            urls::slides(&url),
            file,
            "the course's presentation",
        ));
    }
    for level in &site.config.levels {
        let what = format!("the self-test of level `{}`", level.slug);
        claims.push(paths::claim(
            urls::level_quiz(&level.slug),
            &config_file,
            what,
        ));
    }
    for asset in &site.assets {
        let shown = Path::new("content").join(&asset.content_path);
        claims.push(paths::claim(asset.content_path.clone(), &shown, "the file"));
    }
    claims
}

fn output_diagnostic(error: output::OutputError) -> Diagnostic {
    let path = match &error {
        output::OutputError::Refused { path, .. } | output::OutputError::Io { path, .. } => {
            path.clone()
        }
    };
    Diagnostic::error(path, error.to_string())
        .with_hint("pass --output DIR to write the site elsewhere")
}

fn pages_per_kind(site: &Site) -> Vec<(String, usize)> {
    site.config
        .kinds_present()
        .map(|kind| (site.kind_name(kind).to_string(), site.pages_of(kind).len()))
        .collect()
}
