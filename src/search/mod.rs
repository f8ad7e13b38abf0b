//! Search: the full-text index the browser searches, built from the rendered site.
//!
//! `tokenizer` makes the tokens (shared with the browser), `postings` encodes which pages
//! hold each token, and this module collects them into script files under `search/`
//! (scripts, not JSON, because a site opened from `file://` cannot fetch JSON):
//!
//! - `search/meta.js`: per page its kind and level, per tag its pages (what filters and
//!   counts need); the filter lists; the shard count and chunk sizes; the file name of
//!   every other index file. Kept small (at 100,000 pages 1.1 MB), because
//!   every query loads it first;
//! - `search/n-N.js`: url, title and aliases of pages `N*NAME_CHUNK ..`, loaded for the
//!   pages a query ranks near the top and shows;
//! - `search/p-N.js`: token → postings, for the tokens whose `shard_of` is N, so a query
//!   downloads only the shards of its own tokens (bigrams and words, `#c` for each
//!   character of a title or alias, and `=name` for each whole title or alias: see
//!   `PageTokens::with_name_characters`);
//! - `search/urls.js`: every page's url, hashed (4 bytes a page), to find the pages a
//!   learner has read without loading every names chunk;
//! - `search/t-N.js`: summary, plain text and section starts of pages `N*TEXT_CHUNK ..`,
//!   for verifying phrases, showing snippets and linking to the section of a match;
//! - `search/sounds.js`: the readings of the characters of titles, aliases and tags, and
//!   homophones (see `sounds`), loaded only for Latin-letter queries and typos; and
//!   `search/s-ab.js` …, those terms by the first two letters of their spellings, one
//!   loaded per pinyin query;
//! - `search/cards.js` and `search/c-K.js`: the glossary's cards (see `cards`), which every
//!   page loads through the same loader.
//!
//! Each file calls `PolicykbIndex.receive(name, data)`. Every file but `meta.js` and
//! `cards.js` is written
//! under a name holding its content's hash (`p-3.1a2b3c4d5e.js`), which `meta.js` lists: a
//! browser that cached an older build's shard can never combine it with this build's
//! `meta.js`, and two builds share every file that did not change.
//!
//! (The crate elasticlunr-rs was tried first; its JSON trie took 0.9 s and 17 MB per 1,000
//! pages, far from the targets, so the index is built here; see README.md.)

pub mod cards;
pub mod elasticlunr;
pub mod fold;
pub mod postings;
pub mod sounds;
pub mod tokenizer;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::content::FrontMatter;
use crate::diagnostics::Diagnostic;
use crate::render::{Emit, OutputFile};
use crate::site::{PageId, Site};
use crate::urls;

use postings::{PageTokens, Placement, Postings};
use tokenizer::Token;
pub use tokenizer::{is_han, shard_of, tokenize};

/// Pages per text chunk: results load the text of their chunk for snippets.
pub const TEXT_CHUNK: usize = 4;

/// Pages per names chunk (`n-N.js`, about 7 KB): a query loads the names of the pages it
/// ranks near the top, which lie anywhere in the site, so chunks are small.
pub const NAME_CHUNK: usize = 128;

/// The number of posting shards for a site of `pages` pages: about 40 pages' worth each.
pub fn shard_count(pages: usize) -> u32 {
    (pages.div_ceil(40)).next_power_of_two().clamp(1, 1024) as u32
}

/// Builds the index as pages are rendered, a slice at a time, so that a page's plain text
/// can be dropped as soon as its tokens and its text chunk are written: `add` the pages in
/// reading order, then `finish`.
#[derive(Default)]
pub struct Indexer {
    han: HanPostings,
    words: WordPostings,
    /// The pages added so far (`0..next`).
    next: usize,
    /// The text chunks written so far.
    written: Vec<String>,
}

impl Indexer {
    pub fn new() -> Indexer {
        Indexer::default()
    }

    /// Adds the rendered pages `ids`, which follow those added before and fill whole text
    /// chunks (all but the last slice), and writes their text chunks.
    pub fn add(
        &mut self,
        site: &Site,
        ids: std::ops::Range<PageId>,
        emit: &Emit<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        debug_assert!(ids.start == self.next && ids.start.is_multiple_of(TEXT_CHUNK));
        let tokens: Vec<PageTokens> = site.pages[ids.clone()]
            .par_iter()
            .map(|r| tokens_of(site, &r.page.meta, r.plain_text()))
            .collect();
        for (page, tokens) in ids.clone().zip(tokens) {
            for (key, placement) in tokens.han {
                self.han
                    .entry(key)
                    .or_default()
                    .push(page as u32, placement);
            }
            for (word, placement) in tokens.words {
                self.words
                    .entry(word)
                    .or_default()
                    .push(page as u32, placement);
            }
        }
        self.next = ids.end;
        let chunks = ids.start / TEXT_CHUNK..ids.end.div_ceil(TEXT_CHUNK);
        let (written, problems) = emit_all(chunks, |n| text_file(site, n), emit);
        self.written.extend(written);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Writes the posting shards, `sounds.js`, the glossary's cards and, last, `meta.js`,
    /// which names them all.
    pub fn finish(self, site: &Site, emit: &Emit<'_>) -> Result<SearchIndex, Vec<Diagnostic>> {
        let mut index = SearchIndex::from_postings(site, self.han, self.words);
        for path in &self.written {
            index.record(path);
        }
        let shards = 0..index.shards as usize;
        let (written, mut problems) = emit_all(shards, |n| index.shard_file(n as u32), emit);
        for path in &written {
            index.record(path);
        }
        let names = 0..site.pages.len().div_ceil(NAME_CHUNK);
        let (written, more_problems) = emit_all(names, |n| names_file(site, n), emit);
        problems.extend(more_problems);
        for path in &written {
            index.record(path);
        }
        let mut last = sounds_files(site);
        last.push(urls_file(site));
        last.extend(cards::card_files(site));
        for file in &last {
            index.record(&file.path);
        }
        last.push(meta_file(site, &index));
        for file in last {
            if let Err(problem) = emit(file) {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(index)
        } else {
            Err(problems)
        }
    }
}

/// Makes the files `make(n)` for every `n` of `numbers` in parallel and hands each to
/// `emit`: the paths written, and the problems.
fn emit_all(
    numbers: std::ops::Range<usize>,
    make: impl Fn(usize) -> OutputFile + Sync,
    emit: &Emit<'_>,
) -> (Vec<String>, Vec<Diagnostic>) {
    let results: Vec<Result<String, Diagnostic>> = numbers
        .into_par_iter()
        .map(|n| {
            let file = make(n);
            let path = file.path.clone();
            emit(file).map(|()| path)
        })
        .collect();
    let mut written = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(path) => written.push(path),
            Err(problem) => problems.push(problem),
        }
    }
    (written, problems)
}

/// The postings of every token, by shard: what `search/p-N.js` files are made from, kept so
/// that `serve` can update one page's tokens without rebuilding the index.
pub struct SearchIndex {
    pub shards: u32,
    by_shard: Vec<BTreeMap<String, Postings>>,
    /// Han character → how many index tokens contain it: the characters the site uses,
    /// which decide the part of the folding table the browser gets.
    chars: BTreeMap<char, u32>,
    /// Each index file's name (`p-3` → `p-3.1a2b3c4d5e.js`), as `meta.js` lists them.
    files: BTreeMap<String, String>,
    /// What `meta.js` says of every page, kept from edit to edit of the text.
    facets: PageFacets,
}

impl SearchIndex {
    fn from_postings(site: &Site, han: HanPostings, words: WordPostings) -> SearchIndex {
        let shards = shard_count(site.pages.len());
        let mut by_shard: Vec<BTreeMap<String, Postings>> =
            (0..shards).map(|_| BTreeMap::new()).collect();
        let mut chars = BTreeMap::new();
        for key in han.keys() {
            count_chars(&mut chars, &Token::Han(*key).text(), 1);
        }
        let all = han.into_iter().map(|(k, p)| (Token::Han(k).text(), p));
        for (token, postings) in all.chain(words) {
            by_shard[shard_of(&token, shards) as usize].insert(token, postings);
        }
        SearchIndex {
            shards,
            by_shard,
            chars,
            files: BTreeMap::new(),
            facets: PageFacets::of(site),
        }
    }

    /// Whether `path` is an output file other than an index file, `meta.js`, or the index
    /// file's current version (not one an update has replaced).
    pub fn is_current(&self, path: &str) -> bool {
        let Some(file) = path.strip_prefix(&format!("{}/", urls::SEARCH_FOLDER)) else {
            return true;
        };
        let name = file.split('.').next().unwrap_or_default();
        file == "meta.js"
            || elasticlunr::is_export_file(file)
            || self.files.get(name).is_some_and(|current| current == file)
    }

    /// Notes the name of an index file written at `path` (`search/p-3.1a2b3c4d5e.js`), and
    /// returns the path of the version it replaces, if that had another name.
    pub fn record(&mut self, path: &str) -> Option<String> {
        let file = path.rsplit('/').next().unwrap_or(path).to_string();
        let name = file.split('.').next().unwrap_or_default().to_string();
        let old = self.files.insert(name, file.clone())?;
        (old != file).then(|| urls::search_file(&old))
    }

    /// Records the sounds files of an edit (`sounds_files`), and forgets those of letter pairs
    /// no spelling starts with any more; returns the paths of the versions replaced or gone.
    pub fn record_sounds(&mut self, files: &[OutputFile]) -> Vec<String> {
        let written: BTreeSet<&str> = files
            .iter()
            .filter_map(|f| f.path.rsplit('/').next()?.split('.').next())
            .collect();
        let gone: Vec<String> = self
            .files
            .keys()
            .filter(|name| name.starts_with("s-") && !written.contains(name.as_str()))
            .cloned()
            .collect();
        let mut replaced: Vec<String> = gone
            .iter()
            .filter_map(|name| self.files.remove(name))
            .map(|file| urls::search_file(&file))
            .collect();
        replaced.extend(files.iter().filter_map(|f| self.record(&f.path)));
        replaced
    }

    /// The folding pairs the browser needs (see `fold::pairs_for`).
    pub fn fold_pairs(&self) -> String {
        fold::pairs_for(&self.chars.keys().copied().collect())
    }

    /// Number of files the index wrote: those it names, and `meta.js`.
    pub fn file_count(&self) -> usize {
        self.files.len() + 1
    }

    fn shard_file(&self, n: u32) -> OutputFile {
        let encoded: BTreeMap<&str, String> = self.by_shard[n as usize]
            .iter()
            .map(|(t, p)| (t.as_str(), p.to_base64()))
            .collect();
        script_file(&format!("p-{n}"), &encoded)
    }

    /// Replaces the tokens of one page (its text or front matter changed, not its place in
    /// the site) and returns the files to write, the shards whose tokens changed and the
    /// page's text and names chunks, and the paths of the versions they replace. (`meta.js`,
    /// which names them, and `sounds.js` are the caller's to rewrite.)
    pub fn update_page(
        &mut self,
        site: &Site,
        page: PageId,
        old_meta: &FrontMatter,
        old_text: &str,
    ) -> (Vec<OutputFile>, Vec<String>) {
        let old: BTreeMap<String, Placement> = tokens_of(site, old_meta, old_text)
            .into_texts()
            .into_iter()
            .collect();
        let record = &site.pages[page];
        let new: BTreeMap<String, Placement> =
            tokens_of(site, &record.page.meta, record.plain_text())
                .into_texts()
                .into_iter()
                .collect();
        let mut touched = BTreeSet::new();
        let tokens: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for token in tokens {
            let (before, after) = (old.get(token), new.get(token));
            if before == after {
                continue;
            }
            let shard = shard_of(token, self.shards) as usize;
            let postings = self.by_shard[shard].entry(token.clone()).or_default();
            let mut entries: Vec<(u32, Placement)> = postings
                .entries()
                .into_iter()
                .filter(|(p, _)| *p != page as u32)
                .collect();
            if let Some(&placement) = after {
                let at = entries.partition_point(|(p, _)| *p < page as u32);
                entries.insert(at, (page as u32, placement));
            }
            let was_new = postings.entries().is_empty();
            // The characters of the index's bigrams give the folding pairs, as at build.
            let counted = !token.starts_with([postings::NAME_CHARACTER, postings::WHOLE_NAME]);
            if entries.is_empty() {
                self.by_shard[shard].remove(token);
                if counted {
                    count_chars(&mut self.chars, token, -1);
                }
            } else {
                *postings = Postings::from_entries(&entries);
                if was_new && counted {
                    count_chars(&mut self.chars, token, 1);
                }
            }
            touched.insert(shard as u32);
        }
        let mut files: Vec<OutputFile> = touched.into_iter().map(|n| self.shard_file(n)).collect();
        files.push(text_file(site, page / TEXT_CHUNK));
        files.push(names_file(site, page / NAME_CHUNK));
        let replaced = files.iter().filter_map(|f| self.record(&f.path)).collect();
        if record.page.meta != *old_meta {
            self.facets = PageFacets::of(site);
        }
        (files, replaced)
    }
}

/// Adds `by` to the count of every Han character of `token`.
fn count_chars(chars: &mut BTreeMap<char, u32>, token: &str, by: i32) {
    for c in token.chars().filter(|c| is_han(*c)) {
        let count = chars.entry(c).or_insert(0);
        *count = count.saturating_add_signed(by);
        if *count == 0 {
            chars.remove(&c);
        }
    }
}

/// Where each heading starts in a page's text (UTF-16 units), with its id.
type Sections = [(usize, String)];

/// `search/t-N.js`: summary, text and section starts of pages `N*TEXT_CHUNK..`.
fn text_file(site: &Site, n: usize) -> OutputFile {
    let start = n * TEXT_CHUNK;
    let end = (start + TEXT_CHUNK).min(site.pages.len());
    let none: &Sections = &[];
    let chunk: Vec<(&str, &str, &Sections)> = site.pages[start..end]
        .iter()
        .map(|r| {
            let sections = r.rendered.get().map_or(none, |t| t.sections.as_slice());
            (r.page.meta.summary.as_str(), r.plain_text(), sections)
        })
        .collect();
    script_file(&format!("t-{n}"), &chunk)
}

/// `search/n-N.js`: `[url, title, aliases]` of pages `N*NAME_CHUNK..`.
fn names_file(site: &Site, n: usize) -> OutputFile {
    let start = n * NAME_CHUNK;
    let end = (start + NAME_CHUNK).min(site.pages.len());
    let chunk: Vec<(String, &str, &[String])> = (start..end)
        .map(|id| {
            let meta = &site.page(id).meta;
            (site.url(id), meta.title.as_str(), meta.aliases.as_slice())
        })
        .collect();
    script_file(&format!("n-{n}"), &chunk)
}

/// `search/urls.js`: every page's url as its `fnv1a` hash, 4 bytes (little-endian) a page
/// in page order, in base64. With it a learner's pages are found without the names chunks
/// (at 100,000 pages 0.5 MB against 9 MB): the home page counts the pages read that still
/// exist, and 我的学习 loads the names chunks of those pages only. A url is never edited
/// in place (it is the file's path), so a build writes this file and an edit keeps it.
fn urls_file(site: &Site) -> OutputFile {
    let mut hashes = Vec::with_capacity(site.pages.len() * 4);
    for id in 0..site.pages.len() {
        hashes.extend_from_slice(&tokenizer::fnv1a(&site.url(id)).to_le_bytes());
    }
    script_file(
        "urls",
        &base64::engine::general_purpose::STANDARD.encode(&hashes),
    )
}

/// `search/sounds.js`, the readings of the characters of every title, alias and tag name
/// and of their homophones, and `search/s-ab.js` …, the terms by the two letters their
/// spellings start with (see `sounds`), a file for each pair some spelling starts with.
pub fn sounds_files(site: &Site) -> Vec<OutputFile> {
    let mut terms = Vec::new();
    for (id, record) in site.pages.iter().enumerate() {
        let meta = &record.page.meta;
        for text in std::iter::once(&meta.title).chain(&meta.aliases) {
            terms.push(sounds::Term {
                text: text.clone(),
                target: id as i64,
            });
        }
    }
    for (i, tag) in site.config.tags.iter().enumerate() {
        terms.push(sounds::Term {
            text: tag.name.clone(),
            target: -(i as i64) - 1,
        });
    }
    let sounds = sounds::build(&terms);
    let mut files = vec![script_file("sounds", &sounds)];
    for (start, terms) in sounds.terms_by_start() {
        files.push(script_file(&format!("s-{start}"), &terms));
    }
    files
}

/// The tokens of a page: title; aliases and tag names; summary and body text.
fn tokens_of(site: &Site, meta: &FrontMatter, text: &str) -> PageTokens {
    let tag_name = |slug: &String| {
        site.config
            .tag(slug)
            .map_or_else(|| slug.clone(), |t| t.name.clone())
    };
    let tags: Vec<String> = meta.tags.iter().map(tag_name).collect();
    let extra = format!("{} {}", meta.aliases.join(" "), tags.join(" "));
    PageTokens::of(&meta.title, &extra, &format!("{}\n{}", meta.summary, text))
        .with_name_characters(&meta.title, &meta.aliases)
}

type HanPostings = FxHashMap<u64, Postings>;
type WordPostings = std::collections::HashMap<String, Postings>;

/// `search/meta.js`, under its fixed name: the one index file a page names; written by
/// every build and after every edit (the files it names change).
pub fn meta_file(site: &Site, index: &SearchIndex) -> OutputFile {
    OutputFile {
        path: urls::search_file("meta.js"),
        contents: script_text("meta", &meta(site, index)).into_bytes(),
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    shards: u32,
    /// Pages per text chunk (`t-N.js`) and per names chunk (`n-N.js`).
    chunk: usize,
    name_chunk: usize,
    /// Traditional/simplified pairs the site needs, two characters each.
    fold: String,
    /// Synonym groups, folded.
    synonyms: Vec<Vec<String>>,
    #[serde(flatten)]
    facets: &'a PageFacets,
    /// Every other index file's name.
    files: FileNames,
}

/// What `meta.js` says of every page, for filters and counts. It changes only with front
/// matter, so a text edit reuses it: gathering it visits every page, 40 ms at 100,000.
#[derive(Serialize, Default)]
struct PageFacets {
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    /// Per tag: slug, name, and its pages as postings (see `postings`).
    tags: Vec<(String, String, String)>,
    /// Per page, one character (see `small_number`): the index of its kind in `kinds`.
    page_kinds: String,
    /// Per page, one character: 0 for no level, else 1 + the index of its level in `levels`.
    page_levels: String,
}

impl PageFacets {
    fn of(site: &Site) -> PageFacets {
        let config = &site.config;
        let kinds: Vec<_> = config.kinds_present().collect();
        let tag_numbers = numbered(config.tags.iter().map(|t| t.slug.as_str()));
        let level_numbers = numbered(config.levels.iter().map(|l| l.slug.as_str()));
        let mut tagged: Vec<Postings> = vec![Postings::default(); config.tags.len()];
        let mut page_kinds = String::with_capacity(site.pages.len());
        let mut page_levels = String::with_capacity(site.pages.len());
        let mut tags_of_page: Vec<usize> = Vec::new();
        for (id, record) in site.pages.iter().enumerate() {
            let page = &record.page;
            tags_of_page.clear();
            tags_of_page.extend(
                page.meta
                    .tags
                    .iter()
                    .filter_map(|t| tag_numbers.get(t.as_str())),
            );
            tags_of_page.sort_unstable();
            tags_of_page.dedup();
            for &tag in &tags_of_page {
                tagged[tag].push(id as u32, Placement::BodyOnce);
            }
            let kind = kinds.iter().position(|k| *k == page.kind).unwrap_or(0);
            page_kinds.push(small_number(kind));
            let level = page.meta.level.as_deref();
            let level = level.and_then(|l| level_numbers.get(l));
            page_levels.push(small_number(level.map_or(0, |l| l + 1)));
        }
        PageFacets {
            kinds: kinds
                .iter()
                .map(|k| (k.slug().to_string(), site.kind_name(*k).to_string()))
                .collect(),
            levels: config
                .levels
                .iter()
                .map(|l| (l.slug.clone(), l.name.clone()))
                .collect(),
            tags: config
                .tags
                .iter()
                .zip(&tagged)
                .map(|(t, pages)| (t.slug.clone(), t.name.clone(), pages.to_base64()))
                .collect(),
            page_kinds,
            page_levels,
        }
    }
}

/// Each slug's place in `slugs`.
fn numbered<'a>(slugs: impl Iterator<Item = &'a str>) -> FxHashMap<&'a str, usize> {
    slugs.enumerate().map(|(n, slug)| (slug, n)).collect()
}

/// The names of the index files, compactly: at 100,000 pages there are about 28,000 of
/// them, and meta.js is loaded before the first result.
#[derive(Serialize, Default)]
struct FileNames {
    /// A family of numbered files (`p-0`, `p-1` …) as the hashes of their names in number
    /// order, each `urls::HASH_LENGTH` characters (`-`s where a number has no file):
    /// `p` → `1a2b3c4d5e…` for `p-0.1a2b3c4d5e.js`.
    numbered: BTreeMap<String, String>,
    /// Any other file by name: `sounds` → `sounds.672a5d53ce.js`.
    named: BTreeMap<String, String>,
}

impl FileNames {
    fn of(files: &BTreeMap<String, String>) -> FileNames {
        let mut names = FileNames::default();
        // Gathered per family, then put in number order (the map's order is the names').
        let mut families: FxHashMap<&str, Vec<(usize, &str)>> = FxHashMap::default();
        for (name, file) in files {
            let numbered = name.split_once('-').and_then(|(family, number)| {
                let number: usize = number.parse().ok()?;
                let hash = file
                    .strip_prefix(name.as_str())?
                    .strip_prefix('.')?
                    .strip_suffix(".js")?;
                (hash.len() == urls::HASH_LENGTH && !hash.contains('.'))
                    .then_some((family, number, hash))
            });
            match numbered {
                Some((family, number, hash)) => {
                    families.entry(family).or_default().push((number, hash));
                }
                None => {
                    names.named.insert(name.clone(), file.clone());
                }
            }
        }
        let none = "-".repeat(urls::HASH_LENGTH);
        for (family, mut hashes) in families {
            hashes.sort_unstable();
            let mut joined = String::with_capacity(hashes.len() * urls::HASH_LENGTH);
            for (number, hash) in hashes {
                while joined.len() < number * urls::HASH_LENGTH {
                    joined.push_str(&none);
                }
                joined.push_str(hash);
            }
            names.numbered.insert(family.to_string(), joined);
        }
        names
    }
}

/// A small number as one character of meta.js: `a` for 0, `b` for 1 …, one byte of UTF-8
/// up to 30 and never a character JSON or `script_text` escapes.
fn small_number(n: usize) -> char {
    u32::try_from(n)
        .ok()
        .and_then(|n| char::from_u32(0x61 + n))
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn meta<'a>(site: &Site, index: &'a SearchIndex) -> Meta<'a> {
    Meta {
        shards: index.shards,
        chunk: TEXT_CHUNK,
        name_chunk: NAME_CHUNK,
        fold: index.fold_pairs(),
        synonyms: site
            .synonyms
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|term| tokenizer::fold_text(term))
                    .collect()
            })
            .collect(),
        facets: &index.facets,
        files: FileNames::of(&index.files),
    }
}

/// `search/<name>.<hash>.js`: `PolicykbIndex.receive("name", …);` with JSON that cannot
/// end the script early.
fn script_file<T: Serialize + ?Sized>(name: &str, data: &T) -> OutputFile {
    let script = script_text(name, data);
    OutputFile {
        path: urls::search_file(&urls::hashed_name(&format!("{name}.js"), script.as_bytes())),
        contents: script.into_bytes(),
    }
}

fn script_text<T: Serialize + ?Sized>(name: &str, data: &T) -> String {
    let json = serde_json::to_string(data)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    format!("PolicykbIndex.receive(\"{name}\",{json});\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            contents: Vec::new(),
        }
    }

    fn index_with(paths: &[&str]) -> SearchIndex {
        let mut index = SearchIndex {
            shards: 1,
            by_shard: vec![BTreeMap::new()],
            chars: BTreeMap::new(),
            files: BTreeMap::new(),
            facets: PageFacets::default(),
        };
        for path in paths {
            index.record(path);
        }
        index
    }

    #[test]
    fn numbered_files_are_listed_by_their_hashes_and_others_by_name() {
        let index = index_with(&[
            "search/p-0.0123456789.js",
            "search/p-2.abcdefabcd.js",
            "search/sounds.672a5d53ce.js",
            "search/s-ze.1111111111.js",
        ]);
        let names = FileNames::of(&index.files);
        assert_eq!(
            names.numbered["p"],
            format!("0123456789{}abcdefabcd", "-".repeat(10))
        );
        assert_eq!(names.named["sounds"], "sounds.672a5d53ce.js");
        assert_eq!(names.named["s-ze"], "s-ze.1111111111.js");
        assert_eq!(names.named.len(), 2);
    }

    #[test]
    fn an_edit_forgets_the_sounds_files_of_letter_pairs_no_term_starts_with() {
        let mut index = index_with(&[
            "search/sounds.aaaaaaaaaa.js",
            "search/s-ze.1111111111.js",
            "search/s-zr.2222222222.js",
            "search/p-0.0123456789.js",
        ]);
        let gone = index.record_sounds(&[
            file("search/sounds.bbbbbbbbbb.js"),
            file("search/s-ze.1111111111.js"),
            file("search/s-xs.3333333333.js"),
        ]);
        assert_eq!(
            gone,
            ["search/s-zr.2222222222.js", "search/sounds.aaaaaaaaaa.js"]
        );
        assert!(index.is_current("search/s-xs.3333333333.js"));
        assert!(index.is_current("search/s-ze.1111111111.js"));
        assert!(!index.is_current("search/s-zr.2222222222.js"));
        assert!(index.is_current("search/p-0.0123456789.js"));
    }
}
