//! Incremental rebuilds for `serve`.
//!
//! A built site is kept in memory. When the only change is to the Markdown body of existing
//! pages (front matter byte-for-byte the same, and the same `@/` links, so no title, summary,
//! tag, reference or back-link anywhere else can change), those pages are re-rendered and
//! their tokens replaced in the search index, and just those files are rewritten. Any other
//! change (front matter, new or deleted files, templates, config, static files) is a full
//! build, which is always correct.

use std::fs;
use std::path::{Path, PathBuf};

use crate::content::{self, SourceFile};
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::output::OutputError;
use crate::render::{self, OutputFile};
use crate::{run_pipeline, BuildFailure, BuildOptions, BuildReport, Built};

/// A site built into `output`, with what is needed to update it page by page.
pub struct LiveSite {
    root: PathBuf,
    output: PathBuf,
    built: Built,
}

/// What an update did.
pub enum Update {
    /// Only these pages changed; this many files were rewritten.
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
    /// full build. On failure the site on disk is left as it was.
    pub fn update(&mut self, changed: &[PathBuf]) -> Result<Update, BuildFailure> {
        if let Some(edits) = self.body_only_edits(changed) {
            return self
                .apply(edits)
                .map(|(pages, files)| Update::Pages { pages, files });
        }
        *self = LiveSite::build(&self.root, &self.output)?;
        let report = self.report();
        Ok(Update::Full {
            summary: report.summary(),
            warnings: report.warnings.clone(),
        })
    }

    /// The pages whose body alone changed, with their new text; `None` if anything else did.
    fn body_only_edits(&self, changed: &[PathBuf]) -> Option<Vec<(usize, content::Page)>> {
        let site = &self.built.report.site;
        let content_dir = self.root.join("content");
        let mut edits = Vec::new();
        for path in changed {
            let inside = path.strip_prefix(&content_dir).ok()?;
            let content_path = inside.to_str()?.replace('\\', "/");
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
            let same_links = links_of(old) == links_of(&new);
            if new.front_matter_text != old.front_matter_text || new.slug != old.slug || !same_links
            {
                return None;
            }
            edits.push((index, new));
        }
        (!edits.is_empty()).then_some(edits)
    }

    fn apply(
        &mut self,
        edits: Vec<(usize, content::Page)>,
    ) -> Result<(Vec<String>, usize), BuildFailure> {
        let mut files: Vec<OutputFile> = Vec::new();
        let mut pages = Vec::new();
        for (index, page) in edits {
            pages.push(page.content_path.clone());
            let built = &mut self.built;
            let site = &mut built.report.site;
            site.pages[index].body = page.body;
            site.pages[index].body_first_line = page.body_first_line;
            let (html, text) =
                render::render_page(site, &built.theme, index).map_err(|d| vec![d])?;
            files.push(html);
            let old_text = std::mem::replace(&mut built.plain_texts[index], text);
            files.extend(
                built
                    .index
                    .update_page(site, &built.plain_texts, index, &old_text),
            );
        }
        let count = files.len();
        for file in files {
            write_in_place(&self.output, &file)
                .map_err(|e| vec![Diagnostic::error(&self.output, e.to_string())])?;
        }
        Ok((pages, count))
    }
}

fn links_of(page: &content::Page) -> Vec<String> {
    let mut targets: Vec<String> = markdown::internal_links(&page.body, page.body_first_line)
        .into_iter()
        .map(|l| l.target)
        .collect();
    targets.sort();
    targets.dedup();
    targets
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
