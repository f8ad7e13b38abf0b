//! Incremental rebuilds for `serve`.
//!
//! A built site is kept in memory. When the only changes are edits to existing pages that
//! keep each page's kind, slug and place in the reading order, the pages are parsed and the
//! whole site is linked again (cheap, and it finds every broken reference), and then only
//! the files that can show the edited pages are rendered again: the pages themselves, every
//! page that lists them (references and back-links, in both the old and the new version),
//! their neighbours, their tag pages and their kind's index, plus the search files for their
//! tokens. If the data all templates share (`site`: levels with their problems, tags with
//! counts, guides) changes, or files are added, deleted or are not pages (templates, config,
//! static files), it is a full build instead, which is always correct. Tests compare the
//! result with a full build, byte for byte.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::content::{self, Kind, Page, SourceFile};
use crate::diagnostics::Diagnostic;
use crate::links::{self, Site, Unparsed};
use crate::output::{OutputError, MANIFEST_FILE};
use crate::render::{self, Job, OutputFile};
use crate::search;
use crate::{run_pipeline, BuildFailure, BuildOptions, BuildReport, Built};

/// A site built into `output`, with what is needed to update it page by page.
pub struct LiveSite {
    root: PathBuf,
    output: PathBuf,
    built: Built,
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

impl LiveSite {
    /// A full build into `output`.
    pub fn build(root: &Path, output: &Path) -> Result<LiveSite, BuildFailure> {
        let options = BuildOptions {
            root: root.to_path_buf(),
            output: Some(output.to_path_buf()),
        };
        let built = run_pipeline(&options)?;
        Ok(LiveSite {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            built,
        })
    }

    pub fn report(&self) -> &BuildReport {
        &self.built.report
    }

    /// Applies the changes to `changed` files: page by page when that is safe, otherwise by a
    /// full build. On failure the site on disk and in memory is left as it was.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, BuildFailure> {
        if let Some(edits) = self.page_edits(changed) {
            if let Some(outcome) = self.apply(edits) {
                return outcome.map(|(pages, files)| Update::Pages { pages, files });
            }
        }
        *self = LiveSite::build(&self.root, &self.output)?;
        let report = self.report();
        Ok(Update::Full {
            summary: report.summary(),
            warnings: report.warnings.clone(),
        })
    }

    /// The edited pages, parsed, if every change is an edit of an existing page that keeps
    /// its kind, slug and order; `None` otherwise.
    fn page_edits(&self, changed: &[PathBuf]) -> Option<Vec<(usize, Page)>> {
        let site = &self.built.report.site;
        let content_dir = self.root.join("content");
        let mut edits = Vec::new();
        for path in changed {
            let content_path = path
                .strip_prefix(&content_dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            let &index = site.by_content_path.get(&content_path)?;
            let old = &site.pages[index];
            let text = fs::read_to_string(path).ok()?;
            let source = SourceFile {
                kind: old.kind,
                file: old.file.clone(),
                content_path,
                text,
            };
            let new = content::parse_page(&source).ok()?;
            if new.slug != old.slug || new.meta.order != old.meta.order {
                return None;
            }
            edits.push((index, new));
        }
        (!edits.is_empty()).then_some(edits)
    }

    /// Links the site again with the edited pages and rewrites what they can appear on.
    /// `None` when the shared `site` data changed (a full build is needed).
    fn apply(
        &mut self,
        edits: Vec<(usize, Page)>,
    ) -> Option<Result<(Vec<String>, usize), BuildFailure>> {
        let old_site = &self.built.report.site;
        let edited: Vec<usize> = edits.iter().map(|(i, _)| *i).collect();
        let old_pages: Vec<(usize, content::FrontMatter, String)> = edited
            .iter()
            .map(|&i| {
                (
                    i,
                    old_site.pages[i].meta.clone(),
                    self.built.plain_texts[i].clone(),
                )
            })
            .collect();
        // The common case, new text under the same front matter and the same `@/` links,
        // cannot change any other page: no need to link the whole site again.
        let text_only = edits.iter().all(|(i, new)| {
            let old = &old_site.pages[*i];
            old.front_matter_text == new.front_matter_text && links_of(old) == links_of(new)
        });
        let jobs: Vec<Job> = if text_only {
            let site = &mut self.built.report.site;
            for (index, page) in &edits {
                site.pages[*index] = page.clone();
            }
            edited.iter().map(|&i| Job::Page(i)).collect()
        } else {
            let mut pages = old_site.pages.clone();
            for (index, page) in &edits {
                pages[*index] = page.clone();
            }
            let mut diagnostics = Vec::new();
            let new_site = links::link(
                old_site.config.clone(),
                pages,
                &Unparsed::default(),
                &mut diagnostics,
            );
            let moved = edits
                .iter()
                .any(|(i, p)| new_site.pages[*i].content_path != p.content_path);
            if moved || !render::same_site_view(old_site, &new_site) {
                return None;
            }
            if diagnostics.iter().any(Diagnostic::is_error) {
                return Some(Err(diagnostics.into()));
            }
            let jobs = affected_jobs(old_site, &new_site, &edited);
            self.built.report.site = new_site;
            self.built.report.warnings = diagnostics;
            jobs
        };
        // From here on the state in memory is the new one; if writing fails, the server's
        // next build is a full one (it always is after a failure), which puts disk and
        // memory back in step.
        let built = &mut self.built;
        let site = &built.report.site;
        let render::Rerendered {
            mut files,
            plain_texts,
        } = match render::render_some(site, &built.theme, &jobs) {
            Ok(rendered) => rendered,
            Err(problems) => return Some(Err(problems.into())),
        };
        for (index, text) in plain_texts {
            built.plain_texts[index] = text;
        }
        for (index, old_meta, old_text) in &old_pages {
            files.extend(built.index.update_page(
                site,
                &built.plain_texts,
                *index,
                old_meta,
                old_text,
            ));
        }
        if !text_only {
            files.push(search::meta_file(site, built.index.shards));
        }
        let count = files.len();
        for file in &files {
            built.manifest.record(&file.path, &file.contents);
        }
        files.push(OutputFile {
            path: MANIFEST_FILE.to_string(),
            contents: built.manifest.to_text().into_bytes(),
        });
        for file in files {
            if let Err(error) = write_in_place(&self.output, &file) {
                return Some(Err(vec![Diagnostic::error(
                    &self.output,
                    error.to_string(),
                )]
                .into()));
            }
        }
        let names = edits.into_iter().map(|(_, p)| p.content_path).collect();
        Some(Ok((names, count)))
    }
}

/// The `@/` link targets of a page's body, sorted.
fn links_of(page: &Page) -> Vec<String> {
    let mut targets: Vec<String> =
        crate::markdown::internal_links(&page.body, page.body_first_line)
            .into_iter()
            .map(|link| link.target)
            .collect();
    targets.sort();
    targets.dedup();
    targets
}

/// Every file that can show something of the edited pages, in the old or the new version.
fn affected_jobs(old: &Site, new: &Site, edited: &[usize]) -> Vec<Job> {
    let mut jobs = BTreeSet::new();
    for site in [old, new] {
        let order = render::reading_order(site);
        for &page in edited {
            jobs.insert(Job::Page(page));
            // Pages that name this one, and pages this one names (it shows in their back-links).
            jobs.extend(site.backlinks[page].iter().map(|&i| Job::Page(i)));
            let referenced = site.references[page]
                .iter()
                .flat_map(|(_, targets)| targets.iter().copied());
            let linked = links_of(&site.pages[page])
                .into_iter()
                .filter_map(|t| site.by_content_path.get(&t).copied());
            jobs.extend(referenced.chain(linked).map(Job::Page));
            let (prev, next) = order.around(page);
            jobs.extend(prev.into_iter().chain(next).map(Job::Page));
            jobs.extend(site.pages[page].meta.tags.iter().cloned().map(Job::Tag));
            let kind = site.pages[page].kind;
            jobs.insert(Job::KindIndex(kind));
            if kind == Kind::Responsibility {
                jobs.insert(Job::Home);
            }
        }
    }
    // Tags that are not in the vocabulary have no page.
    jobs.retain(|job| !matches!(job, Job::Tag(slug) if !new.tags.contains_key(slug)));
    jobs.into_iter().collect()
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
