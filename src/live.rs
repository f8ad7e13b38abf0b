//! Incremental rebuilds for `serve`.
//!
//! A built site is kept in memory. When the only changes are edits to existing pages that
//! keep each page's kind, slug and place in the reading order, the pages are parsed again
//! and only the files that show them are rendered again, as `render::jobs::showing` says
//! (in the old and the new version of the site), plus the search files for their tokens.
//! An edit to a page's text alone (same front matter, same links) skips relinking. If the
//! data all templates share (`site`: levels with their problems, tags with counts, guides)
//! changes, or files are added, deleted or are not pages (templates, config, static
//! files), it is a full build instead, which is always correct. Tests compare the result
//! with a full build, byte for byte.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::content::{self, FrontMatter, Page, SourceFile};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::{self, Unparsed};
use crate::markdown;
use crate::output::{self, OutputError, MANIFEST_FILE};
use crate::render::{self, jobs, Job, OutputFile};
use crate::site::{PageId, Site};
use crate::{run_pipeline, search, BuildFailure, BuildOptions, BuildReport, Built};

/// A site built into `output`, with what is needed to update it page by page.
pub struct LiveSite {
    root: PathBuf,
    output: PathBuf,
    built: Built,
    /// `render::term_tags` of the site (made once, not once per edit).
    term_tags: render::TermTags,
    /// The manifest in memory is newer than the one on disk (see `save_manifest`).
    manifest_unsaved: bool,
}

/// What an update did.
pub enum Update {
    /// These pages were edited; this many files were rewritten.
    Pages { pages: Vec<String>, files: usize },
    /// A full build ran; its summary line and warnings.
    Full {
        summary: String,
        warnings: Vec<Diagnostic>,
    },
}

/// An edited page: its place in the site and its new version.
struct Edit {
    id: PageId,
    page: Page,
}

impl LiveSite {
    /// A full build into `output`.
    pub fn build(root: &Path, output: &Path) -> Result<LiveSite, BuildFailure> {
        let options = BuildOptions {
            root: root.to_path_buf(),
            output: Some(output.to_path_buf()),
            pdf_browser: None,
        };
        let built = run_pipeline(&options, true)?;
        Ok(LiveSite {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            term_tags: render::term_tags(&built.site),
            built,
            manifest_unsaved: false,
        })
    }

    /// Whether the site has an elasticlunr export, which page updates leave as it was.
    pub fn exports_elasticlunr(&self) -> bool {
        self.built.site.config.search.elasticlunr
    }

    pub fn report(&self) -> &BuildReport {
        &self.built.report
    }

    /// Applies the changes to `changed` files: page by page when that is safe, otherwise by a
    /// full build. On failure the site on disk is left as it was.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, BuildFailure> {
        if let Some(edits) = self.page_edits(changed) {
            if let Some(outcome) = self.apply(edits) {
                return outcome.map(|(pages, files)| Update::Pages { pages, files });
            }
        }
        // The full build replaces only the files the manifest on disk lists.
        self.save_manifest()?;
        *self = LiveSite::build(&self.root, &self.output)?;
        let report = self.report();
        Ok(Update::Full {
            summary: report.summary(),
            warnings: report.warnings.clone(),
        })
    }

    /// Writes the manifest if an update changed it. Updates leave this to the caller, to do
    /// once the open tabs have been told: at 100,000 pages the manifest is 14 MB, and
    /// writing it took 40 of an edit's 57 ms. Nothing reads it before the next full build,
    /// which `update` saves it for first.
    pub fn save_manifest(&mut self) -> Result<(), BuildFailure> {
        if !self.manifest_unsaved {
            return Ok(());
        }
        let file = OutputFile {
            path: MANIFEST_FILE.to_string(),
            contents: self.built.manifest.to_text().into_bytes(),
        };
        write_in_place(&self.output, &file).map_err(|error| BuildFailure {
            diagnostics: vec![Diagnostic::error(&self.output, error.to_string())],
        })?;
        self.manifest_unsaved = false;
        Ok(())
    }

    /// The edited pages, parsed, if every change is an edit of an existing page that keeps
    /// its kind, slug and order; `None` otherwise.
    fn page_edits(&self, changed: &[PathBuf]) -> Option<Vec<Edit>> {
        let site = &self.built.site;
        let content_dir = self.root.join("content");
        let mut edits = Vec::new();
        for path in changed {
            let content_path = path
                .strip_prefix(&content_dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            let &id = site.by_content_path.get(&content_path)?;
            let old = site.page(id);
            let source = SourceFile {
                kind: old.kind,
                file: old.file.clone(),
                content_path,
                text: fs::read_to_string(path).ok()?,
            };
            let page = content::parse_page(&source).ok()?;
            if page.slug != old.slug || page.meta.order != old.meta.order {
                return None;
            }
            edits.push(Edit { id, page });
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// Rewrites what the edited pages can appear on. `None` when a full build is needed.
    fn apply(&mut self, edits: Vec<Edit>) -> Option<Result<(Vec<String>, usize), BuildFailure>> {
        let old_site = &self.built.site;
        let edited: Vec<PageId> = edits.iter().map(|e| e.id).collect();
        let old_pages: Vec<(PageId, FrontMatter, String)> = edited
            .iter()
            .map(|&id| {
                let record = &old_site.pages[id];
                (
                    id,
                    record.page.meta.clone(),
                    record.plain_text().to_string(),
                )
            })
            .collect();
        // New text under the same front matter and the same links cannot change any other
        // page's data: no need to link the whole site again.
        // The glossary terms each edited text links: the pages they name must stay the same.
        let glossary = old_site.config.autolink.then_some(&old_site.glossary);
        let scans: Vec<markdown::BodyScan> = edits
            .iter()
            .map(|edit| link::scan(glossary, edit.id, &edit.page, &edit.page.body))
            .collect();
        let text_only = edits.iter().zip(&scans).all(|(edit, scan)| {
            let old = &old_site.pages[edit.id];
            old.page.meta == edit.page.meta
                && link_targets(&old.page) == destinations(&scan.links)
                && link::term_pages(&scan.mentions) == link::term_pages(&old.term_mentions)
        });
        let mut jobs: BTreeSet<Job> = BTreeSet::new();
        let mut diagnostics = Diagnostics::default();
        if text_only {
            let site = &mut self.built.site;
            for (edit, scan) in edits.iter().zip(scans) {
                let record = &mut site.pages[edit.id];
                record.page = edit.page.clone();
                record.term_mentions = scan.mentions;
                record.rendered = Default::default();
            }
            for edit in edits.iter() {
                jobs.extend(jobs::showing_body(site, edit.id));
            }
            diagnostics.extend(self.built.report.warnings.clone());
        } else {
            let new_site = relink(old_site, &edits, diagnostics.list())?;
            if diagnostics.has_errors() {
                return Some(Err(diagnostics.into()));
            }
            for &id in &edited {
                jobs.extend(jobs::showing(old_site, id));
                jobs.extend(jobs::showing(&new_site, id));
            }
            jobs.retain(|job| !matches!(job, Job::Tag(slug) if !new_site.tags.contains_key(slug)));
            self.term_tags = render::term_tags(&new_site);
            self.built.site = new_site;
        }
        // From here on the state in memory is the new one; if writing fails, the server's
        // next build is a full one (it always is after a failure), which puts disk and
        // memory back in step.
        let built = &mut self.built;
        let site = &built.site;
        let jobs: Vec<Job> = jobs.into_iter().collect();
        let mut files = match render::render_some(site, &self.term_tags, &jobs) {
            Ok(files) => files,
            Err(problems) => return Some(Err(with(diagnostics, problems))),
        };
        let anchor_problems =
            render::check_anchors(site, pages_to_check(site, &edited).into_iter());
        if !anchor_problems.is_empty() {
            return Some(Err(with(diagnostics, anchor_problems)));
        }
        // Index files get new names when their contents change: the versions they replace
        // are deleted once the new ones are written.
        let mut replaced = Vec::new();
        for (id, old_meta, old_text) in &old_pages {
            let (changed, gone) = built.index.update_page(site, *id, old_meta, old_text);
            files.extend(changed);
            replaced.extend(gone);
        }
        if !text_only {
            // A page's title, tags or aliases may have changed.
            let sounds = search::sounds_files(site);
            replaced.extend(built.index.record_sounds(&sounds));
            files.extend(sounds);
            // A title, summary or tag may have changed a glossary card.
            for cards in search::cards::card_files(site) {
                replaced.extend(built.index.record(&cards.path));
                files.push(cards);
            }
        }
        files.push(search::meta_file(site, &built.index));
        // The elasticlunr export (`search: { elasticlunr: true }`) is left as the last full
        // build wrote it: at 10,000 pages it takes half a minute, far too long for a save.
        // A file may have been produced twice: only its last version is the site's.
        let mut seen = std::collections::HashSet::new();
        files.reverse();
        files.retain(|f| seen.insert(f.path.clone()) && built.index.is_current(&f.path));
        files.reverse();
        replaced.retain(|path| !built.index.is_current(path));
        if site.config.compress {
            let mut copies = Vec::new();
            for file in &files {
                match output::compress::gzipped(&file.path, &file.contents) {
                    Some((path, contents)) => copies.push(OutputFile { path, contents }),
                    // Too small now: a copy from before would be stale.
                    None => replaced.push(format!("{}.gz", file.path)),
                }
            }
            files.extend(copies);
            let copies_of_replaced: Vec<String> =
                replaced.iter().map(|p| format!("{p}.gz")).collect();
            replaced.extend(copies_of_replaced);
        }
        built.report.warnings = diagnostics.into_sorted();
        let count = files.len();
        for file in &files {
            built.manifest.record(&file.path, &file.contents);
        }
        for path in &replaced {
            built.manifest.remove(path);
        }
        self.manifest_unsaved = true;
        for file in files {
            if let Err(error) = write_in_place(&self.output, &file) {
                return Some(Err(BuildFailure {
                    diagnostics: vec![Diagnostic::error(&self.output, error.to_string())],
                }));
            }
        }
        replaced.sort();
        replaced.dedup();
        for path in &replaced {
            match fs::remove_file(self.output.join(path)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Some(Err(BuildFailure {
                        diagnostics: vec![Diagnostic::error(
                            self.output.join(path),
                            format!("cannot delete the replaced index file: {error}"),
                        )],
                    }));
                }
                _ => {}
            }
        }
        let names = edits.into_iter().map(|e| e.page.content_path).collect();
        Some(Ok((names, count)))
    }
}

/// The site linked again with the edited pages, keeping what the old one rendered; `None`
/// if the data every template shares changed (a full build is needed then).
fn relink(old: &Site, edits: &[Edit], diagnostics: &mut Vec<Diagnostic>) -> Option<Site> {
    let mut pages: Vec<Page> = old.pages.iter().map(|r| r.page.clone()).collect();
    for edit in edits {
        pages[edit.id] = edit.page.clone();
    }
    let mut site = link::link(
        old.config.clone(),
        pages,
        &Unparsed::default(),
        old.theme.clone(),
        old.assets.clone(),
        &old.root,
        diagnostics,
    );
    site.updated = old.updated.clone();
    let moved = edits
        .iter()
        .any(|e| site.page(e.id).content_path != e.page.content_path);
    if moved || render::views::site_view(old) != render::views::site_view(&site) {
        return None;
    }
    for (id, (new, old)) in site.pages.iter_mut().zip(&old.pages).enumerate() {
        if !edits.iter().any(|e| e.id == id) {
            new.rendered = old.rendered.clone();
        }
    }
    Some(site)
}

/// The edited pages and every page that links to them (a heading may have gone).
fn pages_to_check(site: &Site, edited: &[PageId]) -> BTreeSet<PageId> {
    edited
        .iter()
        .flat_map(|&id| std::iter::once(id).chain(site.pages[id].backlinks.iter().copied()))
        .collect()
}

fn with(mut diagnostics: Diagnostics, problems: Vec<Diagnostic>) -> BuildFailure {
    diagnostics.extend(problems);
    diagnostics.into()
}

/// The destinations of a page's body links, in order.
fn link_targets(page: &Page) -> Vec<markdown::Destination> {
    destinations(&markdown::body_links(
        &page.body,
        page.body_first_line,
        &page.content_path,
    ))
}

fn destinations(links: &[markdown::RawLink]) -> Vec<markdown::Destination> {
    links.iter().map(|link| link.destination.clone()).collect()
}

/// Replaces one file of the live site: written next to it, then renamed over it, so a browser
/// never reads half a file.
fn write_in_place(output: &Path, file: &OutputFile) -> Result<(), OutputError> {
    let path = output.join(&file.path);
    let temporary = path.with_extension("policykb-tmp");
    fs::write(&temporary, &file.contents).map_err(|source| OutputError::Io {
        path: temporary.clone(),
        source,
    })?;
    fs::rename(&temporary, &path).map_err(|source| OutputError::Io { path, source })
}
