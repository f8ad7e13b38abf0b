//! policykb: a static site generator for an offline, searchable knowledge base.
//!
//! The build is a pipeline of stages, one module each, run in this order:
//!
//! 1. **load**   (`content::load_sources`): walk `content/`, read every file as UTF-8;
//! 2. **parse**  (`content::parse_page`): split front matter from Markdown, check the fields;
//! 3. **link**   (`links::link`): resolve every reference and `@/` link, compute back-links;
//! 4. **render** (`render::render_site`): Markdown to HTML and the theme's templates, in
//!    parallel, each file written as soon as it is made;
//! 5. **index**  (`search::build_index`): the Chinese full-text search index;
//! 6. **write**  (`output::Staging`): files go to a staging folder, swapped in atomically.
//!
//! Every stage reports problems as `Diagnostic`s instead of stopping at the first, so an
//! author sees the complete list of what to fix in one run.

pub mod citations;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod links;
pub mod live;
pub mod markdown;
pub mod output;
pub mod paths;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod theme;
pub mod yaml;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{SiteConfig, CONFIG_FILE};
use crate::content::{Kind, Page};
use crate::diagnostics::Diagnostic;
use crate::links::Site;
use crate::render::OutputFile;
use crate::theme::Theme;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The knowledge-base root: holds `content/`, and optionally `themes/`, `templates/`, `static/`.
    pub root: PathBuf,
    /// Where the site goes; `None` for `check` (run everything, write nothing).
    pub output: Option<PathBuf>,
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
    /// Wall time of each pipeline stage, in order.
    pub stages: Vec<(&'static str, Duration)>,
    /// The checked site, for tests and tools that inspect it.
    pub site: Site,
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

impl From<Vec<Diagnostic>> for BuildFailure {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics::sort(&mut diagnostics);
        BuildFailure { diagnostics }
    }
}

/// Runs the whole pipeline. On any error nothing is written and every problem is returned.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    run_pipeline(options).map(|built| built.report)
}

/// A build's report plus what an incremental rebuild needs (see `live`).
pub(crate) struct Built {
    pub report: BuildReport,
    pub theme: Theme,
    pub plain_texts: Vec<String>,
    pub index: search::SearchIndex,
    /// What was written, for in-place updates to keep the manifest true.
    pub manifest: output::Manifest,
}

fn run_pipeline(options: &BuildOptions) -> Result<Built, BuildFailure> {
    let started = Instant::now();
    let mut stages = StageTimer::new();
    let root = &options.root;
    let config = read_config(root)?;
    if let Some(output) = &options.output {
        output::check_output_folder(root, output).map_err(|e| vec![output_diagnostic(e)])?;
    }
    let mut diagnostics = Vec::new();
    let loaded = content::load_sources(root, &config, &mut diagnostics);
    stages.lap("load");
    let (pages, unparsed) = parse_all(&loaded.files, &mut diagnostics);
    stages.lap("parse");
    let site = links::link(config, pages, &unparsed, &mut diagnostics);
    diagnostics.extend(paths::check_claims(&output_claims(&site, &loaded.assets)));
    stages.lap("link");
    let theme = Theme::load(root, &site.config.theme);
    if diagnostics.iter().any(Diagnostic::is_error) {
        if let Err(theme_problems) = theme {
            diagnostics.extend(theme_problems);
        }
        return Err(diagnostics.into());
    }
    let mut theme = theme.map_err(|problems| with_warnings(problems, &diagnostics))?;
    let staging = match &options.output {
        Some(output) => Some(
            output::Staging::begin(root, output, &|| {
                eprintln!(
                    "another build is writing {}; waiting for it to finish …",
                    output.display()
                )
            })
            .map_err(|e| with_warnings(vec![output_diagnostic(e)], &diagnostics))?,
        ),
        None => None,
    };
    let emit = |file: OutputFile| match &staging {
        Some(staging) => staging
            .write(&file.path, &file.contents)
            .map_err(output_diagnostic),
        None => Ok(()),
    };
    let rendered = render::render_site(&site, &mut theme, &emit)
        .map_err(|problems| with_warnings(problems, &diagnostics))?;
    let mut files_written = rendered.files;
    stages.lap("render");
    let index = search::index_files(&site, &rendered.plain_texts, &emit)
        .map_err(|problems| with_warnings(problems, &diagnostics))?;
    files_written += index.file_count(site.pages.len());
    stages.lap("index");
    for file in static_files(&theme, &loaded.assets, &mut diagnostics) {
        files_written += 1;
        if let Err(problem) = emit(file) {
            diagnostics.push(problem);
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics.into());
    }
    let mut manifest = output::Manifest::default();
    if let Some(staging) = staging {
        manifest = staging
            .commit()
            .map_err(|e| with_warnings(vec![output_diagnostic(e)], &diagnostics))?;
        stages.lap("write");
    }
    diagnostics::sort(&mut diagnostics);
    let report = BuildReport {
        pages_per_kind: pages_per_kind(&site),
        tag_count: site.config.tags.len(),
        files_written,
        warnings: diagnostics,
        elapsed: started.elapsed(),
        stages: stages.laps,
        site,
    };
    Ok(Built {
        report,
        theme,
        plain_texts: rendered.plain_texts,
        index,
        manifest,
    })
}

/// Wall time per pipeline stage, for `--timings` and the benchmark.
struct StageTimer {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl StageTimer {
    fn new() -> StageTimer {
        StageTimer {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }
}

fn read_config(root: &Path) -> Result<SiteConfig, BuildFailure> {
    let file = Path::new("content").join(CONFIG_FILE);
    let text = fs::read_to_string(root.join(&file)).map_err(|error| {
        vec![Diagnostic::error(&file, format!("cannot read the site configuration: {error}"))
            .with_hint("run the command in a knowledge-base folder (or pass --root DIR); `policykb init DIR` creates one")]
    })?;
    Ok(SiteConfig::parse(&text, &file)?)
}

/// Parses every file in parallel, keeping input order so the outcome is deterministic.
fn parse_all(
    files: &[content::SourceFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Page>, links::Unparsed) {
    let results: Vec<_> = files.par_iter().map(content::parse_page).collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut unparsed = links::Unparsed::default();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(page) => pages.push(page),
            Err(problems) => {
                diagnostics.extend(problems);
                let stem = file
                    .content_path
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".md");
                unparsed.slugs.insert((file.kind, stem.to_string()));
                unparsed.content_paths.insert(file.content_path.clone());
            }
        }
    }
    (pages, unparsed)
}

/// Theme static files under `static/`, then assets next to their pages (kind folders may not
/// be named `static`, so the two cannot collide).
fn static_files(
    theme: &Theme,
    assets: &[(PathBuf, String)],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<OutputFile> {
    let mut files: BTreeMap<String, Vec<u8>> = theme
        .static_files
        .iter()
        .map(|(name, bytes)| (format!("static/{name}"), bytes.clone()))
        .collect();
    for (path, content_path) in assets {
        match fs::read(path) {
            Ok(bytes) => {
                files.insert(content_path.clone(), bytes);
            }
            Err(error) => {
                diagnostics.push(Diagnostic::error(path, format!("cannot read: {error}")))
            }
        }
    }
    files
        .into_iter()
        .map(|(path, contents)| OutputFile { path, contents })
        .collect()
}

/// Every output file that comes from the knowledge base, with its source, in the order
/// a reader would expect the first of two colliding claims to be named.
fn output_claims(site: &Site, assets: &[(PathBuf, String)]) -> Vec<paths::Claim> {
    let config_file = Path::new("content").join(CONFIG_FILE);
    let mut claims = Vec::new();
    for kind in Kind::ALL {
        if let Some(k) = site.config.kind_config(kind) {
            let what = format!("the index of {}", k.name);
            claims.push(paths::claim(
                format!("{}/index.html", k.folder),
                &config_file,
                what,
            ));
        }
    }
    for level in &site.config.levels {
        let what = format!("the page of level `{}`", level.slug);
        claims.push(paths::claim(
            format!("levels/{}.html", level.slug),
            &config_file,
            what,
        ));
    }
    for tag in &site.config.tags {
        let what = format!("the page of tag `{}`", tag.slug);
        claims.push(paths::claim(
            format!("tags/{}.html", tag.slug),
            &config_file,
            what,
        ));
    }
    // Two pages with one slug are reported by `links` (with the line of `slug:`).
    let mut page_urls = std::collections::HashSet::new();
    for page in &site.pages {
        let url = render::page_url(site, page);
        if page_urls.insert(url.clone()) {
            claims.push(paths::claim(url, &page.file, "the page"));
        }
    }
    for (_, content_path) in assets {
        let shown = Path::new("content").join(content_path);
        claims.push(paths::claim(content_path.clone(), &shown, "the file"));
    }
    claims
}

fn with_warnings(mut problems: Vec<Diagnostic>, earlier: &[Diagnostic]) -> BuildFailure {
    problems.extend(earlier.iter().cloned());
    problems.into()
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
    Kind::ALL
        .into_iter()
        .filter_map(|kind| {
            site.config
                .kind_config(kind)
                .map(|k| (k.name.clone(), site.pages_of(kind).count()))
        })
        .collect()
}
