//! Search: the Chinese-aware tokenizer and the full-text index the browser searches.
//!
//! Tokenizer: text is normalised (full-width → half-width, lower case), Han runs become
//! overlapping bigrams (a lone Han character stays itself), Latin/digit runs stay whole, and
//! anything else ends a run. There are no stop words: dropping 的/了 would break 目的/了解.
//! The browser runs the very same tokenizer (`static/tokenizer.js`), so query tokens always
//! match index tokens; a shared fixture checks both.
//!
//! Index: token → postings (pages and where on the page the token stands), split into shards
//! by a hash of the token so a query downloads only the shards of its own tokens, plus the
//! pages' text in small chunks for phrase verification and snippets. Everything is emitted as
//! script files, because a site opened from `file://` cannot fetch JSON.
//!
//! (The crate elasticlunr-rs was tried first; its JSON trie took 0.9 s and 17 MB per 1,000
//! pages, far from the targets of issue #4, so the index is built here; see README.md.)

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::content::Kind;
use crate::diagnostics::Diagnostic;
use crate::links::Site;
use crate::render::{page_url, Emit, OutputFile};

/// Full-width ASCII forms and the ideographic space become their half-width forms
/// (lower-casing follows in `for_each_token`).
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Is `c` a Han (Chinese) character?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x30000..=0x3134F)
}

/// A token as the index keeps it: Han tokens packed into a number (no allocation per token),
/// Latin/digit words as text. A Han bigram is `first << 32 | second`; a lone Han character
/// is just its code point, so the two can never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Token<'a> {
    Han(u64),
    Word(&'a str),
}

impl Token<'_> {
    pub fn text(&self) -> String {
        match *self {
            Token::Han(packed) => {
                let char_at = |bits: u64| char::from_u32(bits as u32).unwrap_or('\u{fffd}');
                if packed >> 32 == 0 {
                    char_at(packed).to_string()
                } else {
                    [char_at(packed >> 32), char_at(packed & 0xffff_ffff)]
                        .iter()
                        .collect()
                }
            }
            Token::Word(word) => word.to_string(),
        }
    }
}

/// The tokenizer as a small state machine fed one normalised character at a time.
#[derive(Default)]
struct TokenState {
    previous_han: Option<char>,
    han_run_length: usize,
    word: String,
}

impl TokenState {
    fn feed(&mut self, c: char, visit: &mut impl FnMut(Token<'_>)) {
        if is_han(c) {
            self.end_word(visit);
            if let Some(previous) = self.previous_han {
                visit(Token::Han(u64::from(previous) << 32 | u64::from(c)));
            }
            self.previous_han = Some(c);
            self.han_run_length += 1;
        } else if c.is_alphanumeric() {
            self.end_han_run(visit);
            self.word.push(c);
        } else {
            self.end_word(visit);
            self.end_han_run(visit);
        }
    }

    fn end_word(&mut self, visit: &mut impl FnMut(Token<'_>)) {
        if !self.word.is_empty() {
            visit(Token::Word(&self.word));
            self.word.clear();
        }
    }

    fn end_han_run(&mut self, visit: &mut impl FnMut(Token<'_>)) {
        if let (1, Some(only)) = (self.han_run_length, self.previous_han) {
            visit(Token::Han(u64::from(only)));
        }
        self.previous_han = None;
        self.han_run_length = 0;
    }
}

/// Calls `visit` with every token of `text`, in order: Han bigrams, whole Latin/digit words.
pub fn for_each_token(text: &str, mut visit: impl FnMut(Token<'_>)) {
    let mut state = TokenState::default();
    for c in text.chars() {
        let c = half_width(c);
        if c.is_ascii() || is_han(c) {
            state.feed(c.to_ascii_lowercase(), &mut visit);
        } else {
            for lower in c.to_lowercase() {
                state.feed(lower, &mut visit);
            }
        }
    }
    state.end_word(&mut visit);
    state.end_han_run(&mut visit);
}

/// Splits text into search tokens: Han bigrams, whole Latin/digit words.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_token(text, |token| tokens.push(token.text()));
    tokens
}

/// Where each token's postings live: FNV-1a over the token's UTF-16 code units, so the
/// browser (which sees strings as UTF-16) computes the same shard with a few lines of code.
pub fn shard_of(token: &str, shard_count: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in token.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % shard_count
}

/// How strongly a page holds a token: where it was found, best place first.
/// Stored in the two low bits of each posting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Placement {
    BodyOnce = 0,
    BodyRepeated = 1,
    AliasOrTag = 2,
    Title = 3,
}

impl Placement {
    fn from_bits(bits: u64) -> Placement {
        match bits {
            3 => Placement::Title,
            2 => Placement::AliasOrTag,
            1 => Placement::BodyRepeated,
            _ => Placement::BodyOnce,
        }
    }
}

/// Pages per text chunk: results load the text of their chunk for snippets.
pub const TEXT_CHUNK: usize = 8;

/// The number of posting shards for a site of `pages` pages: about 40 pages' worth each.
pub fn shard_count(pages: usize) -> u32 {
    (pages.div_ceil(40)).next_power_of_two().clamp(1, 1024) as u32
}

/// A page's unique tokens with their best placement, computed in parallel.
struct PageTokens {
    han: Vec<(u64, Placement)>,
    words: Vec<(String, Placement)>,
}

fn page_tokens(title: &str, aliases_and_tags: &str, body: &str) -> PageTokens {
    let mut han: HashMap<u64, Placement, FastHash> =
        HashMap::with_capacity_and_hasher(1024, FastHash);
    let mut words: HashMap<String, Placement> = HashMap::new();
    for (text, placement) in [
        (body, Placement::BodyOnce),
        (aliases_and_tags, Placement::AliasOrTag),
        (title, Placement::Title),
    ] {
        for_each_token(text, |token| match token {
            Token::Han(key) => {
                han.entry(key)
                    .and_modify(|p| *p = better(*p, placement))
                    .or_insert(placement);
            }
            Token::Word(word) => match words.get_mut(word) {
                Some(p) => *p = better(*p, placement),
                None => {
                    words.insert(word.to_string(), placement);
                }
            },
        });
    }
    let mut han: Vec<(u64, Placement)> = han.into_iter().collect();
    han.sort_unstable();
    let mut words: Vec<(String, Placement)> = words.into_iter().collect();
    words.sort_unstable();
    PageTokens { han, words }
}

/// A token seen once more: a second body occurrence makes it `BodyRepeated`.
fn better(current: Placement, seen: Placement) -> Placement {
    match (current, seen) {
        (Placement::BodyOnce, Placement::BodyOnce) => Placement::BodyRepeated,
        _ => current.max(seen),
    }
}

/// A fast hasher for the packed Han tokens (u64 keys from our own text, so no need for
/// protection against hash flooding).
#[derive(Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Postings of one token: pages in ascending order, each as a varint of
/// `(page - previous page) * 4 + placement`, then base64 so it travels in a JS string.
#[derive(Default)]
struct Postings {
    bytes: Vec<u8>,
    last_page: u32,
}

impl Postings {
    fn from_entries(entries: &[(u32, Placement)]) -> Postings {
        let mut postings = Postings::default();
        for &(page, placement) in entries {
            postings.push(page, placement);
        }
        postings
    }

    /// The (page, placement) pairs, decoded.
    fn entries(&self) -> Vec<(u32, Placement)> {
        let mut entries = Vec::new();
        let (mut page, mut value, mut shift) = (0u32, 0u64, 0);
        for &byte in &self.bytes {
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 != 0 {
                shift += 7;
                continue;
            }
            page += (value / 4) as u32;
            entries.push((page, Placement::from_bits(value % 4)));
            value = 0;
            shift = 0;
        }
        entries
    }

    fn push(&mut self, page: u32, placement: Placement) {
        let mut value = u64::from(page - self.last_page) * 4 + placement as u64;
        self.last_page = page;
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.bytes.push(byte);
                break;
            }
            self.bytes.push(byte | 0x80);
        }
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The search index as script files under `search/` (scripts, not JSON, so that a site
/// opened from `file://` can load them):
///
/// - `search/meta.js`: per page url, title, kind, level, tags, aliases; the filter lists;
///   the shard count and chunk size;
/// - `search/p-N.js`: token → postings, for the tokens whose `shard_of` is N;
/// - `search/t-N.js`: summary and plain text of pages `N*TEXT_CHUNK ..`, for verifying
///   phrases and showing snippets.
///
/// Each file calls `PolicykbIndex.receive(name, data)`.
pub fn index_files(
    site: &Site,
    plain_texts: &[String],
    emit: &Emit<'_>,
) -> Result<SearchIndex, Vec<Diagnostic>> {
    let index = SearchIndex::build(site, plain_texts);
    let shard_files = (0..index.shards)
        .into_par_iter()
        .map(|n| emit(index.shard_file(n)));
    let text_files = (0..plain_texts.len().div_ceil(TEXT_CHUNK))
        .into_par_iter()
        .map(|n| emit(text_file(site, plain_texts, n)));
    let mut problems: Vec<Diagnostic> = shard_files
        .chain(text_files)
        .filter_map(Result::err)
        .collect();
    if let Err(problem) = emit(script_file(
        "search/meta.js",
        "meta",
        &meta(site, index.shards),
    )) {
        problems.push(problem);
    }
    if problems.is_empty() {
        Ok(index)
    } else {
        Err(problems)
    }
}

/// The postings of every token, by shard: what `search/p-N.js` files are made from, kept so
/// that `serve` can update one page's tokens without rebuilding the index.
pub struct SearchIndex {
    pub shards: u32,
    by_shard: Vec<BTreeMap<String, Postings>>,
}

impl SearchIndex {
    fn build(site: &Site, plain_texts: &[String]) -> SearchIndex {
        let (han, words) = collect_postings(site, plain_texts);
        let shards = shard_count(site.pages.len());
        let mut by_shard: Vec<BTreeMap<String, Postings>> =
            (0..shards).map(|_| BTreeMap::new()).collect();
        let all = han.into_iter().map(|(k, p)| (Token::Han(k).text(), p));
        for (token, postings) in all.chain(words) {
            by_shard[shard_of(&token, shards) as usize].insert(token, postings);
        }
        SearchIndex { shards, by_shard }
    }

    /// Number of files the index writes for a site of `pages` pages.
    pub fn file_count(&self, pages: usize) -> usize {
        self.shards as usize + pages.div_ceil(TEXT_CHUNK) + 1
    }

    fn shard_file(&self, n: u32) -> OutputFile {
        let encoded: BTreeMap<&str, String> = self.by_shard[n as usize]
            .iter()
            .map(|(t, p)| (t.as_str(), base64(&p.bytes)))
            .collect();
        script_file(&format!("search/p-{n}.js"), &format!("p-{n}"), &encoded)
    }

    /// Replaces the tokens of one page (its text or front matter changed, not its place in
    /// the site) and returns the files to rewrite: the shards whose tokens changed and the
    /// page's text chunk. `meta.js` is the caller's to rewrite if titles, tags or levels changed.
    pub fn update_page(
        &mut self,
        site: &Site,
        plain_texts: &[String],
        page: usize,
        old_meta: &crate::content::FrontMatter,
        old_text: &str,
    ) -> Vec<OutputFile> {
        let old = index_tokens(site, old_meta, old_text);
        let new = index_tokens(site, &site.pages[page].meta, &plain_texts[page]);
        let old_set: BTreeMap<String, Placement> = old.into_iter().collect();
        let new_set: BTreeMap<String, Placement> = new.into_iter().collect();
        let mut touched = std::collections::BTreeSet::new();
        let tokens: std::collections::BTreeSet<&String> =
            old_set.keys().chain(new_set.keys()).collect();
        for token in tokens {
            let (before, after) = (old_set.get(token), new_set.get(token));
            if before == after {
                continue;
            }
            let shard = shard_of(token, self.shards);
            let postings = self.by_shard[shard as usize]
                .entry(token.clone())
                .or_default();
            let mut entries: Vec<(u32, Placement)> = postings
                .entries()
                .into_iter()
                .filter(|(p, _)| *p != page as u32)
                .collect();
            if let Some(&placement) = after {
                let at = entries.partition_point(|(p, _)| *p < page as u32);
                entries.insert(at, (page as u32, placement));
            }
            if entries.is_empty() {
                self.by_shard[shard as usize].remove(token);
            } else {
                *postings = Postings::from_entries(&entries);
            }
            touched.insert(shard);
        }
        let mut files: Vec<OutputFile> = touched.into_iter().map(|n| self.shard_file(n)).collect();
        files.push(text_file(site, plain_texts, page / TEXT_CHUNK));
        files
    }
}

/// `search/t-N.js`: summary and text of pages `N*TEXT_CHUNK..`.
fn text_file(site: &Site, plain_texts: &[String], n: usize) -> OutputFile {
    let start = n * TEXT_CHUNK;
    let end = (start + TEXT_CHUNK).min(site.pages.len());
    let chunk: Vec<(&str, &str)> = (start..end)
        .map(|i| (site.pages[i].meta.summary.as_str(), plain_texts[i].as_str()))
        .collect();
    script_file(&format!("search/t-{n}.js"), &format!("t-{n}"), &chunk)
}

/// One page's unique tokens with placements, as text (for updates).
fn index_tokens(
    site: &Site,
    meta: &crate::content::FrontMatter,
    text: &str,
) -> Vec<(String, Placement)> {
    let tokens = page_tokens_for(site, meta, text);
    let han = tokens
        .han
        .into_iter()
        .map(|(k, p)| (Token::Han(k).text(), p));
    han.chain(tokens.words).collect()
}

/// The tokens of a page: title; aliases and tag names; summary and body text.
fn page_tokens_for(site: &Site, meta: &crate::content::FrontMatter, text: &str) -> PageTokens {
    let tag_name = |slug: &String| {
        site.config
            .tag(slug)
            .map_or_else(|| slug.clone(), |t| t.name.clone())
    };
    let tags: Vec<String> = meta.tags.iter().map(tag_name).collect();
    let extra = format!("{} {}", meta.aliases.join(" "), tags.join(" "));
    page_tokens(&meta.title, &extra, &format!("{}\n{}", meta.summary, text))
}

type HanPostings = HashMap<u64, Postings, FastHash>;
type WordPostings = HashMap<String, Postings>;

/// Tokenizes pages in parallel, a slice at a time so only one slice's tokens are held, and
/// appends each page to the postings of its tokens (pages in ascending order).
fn collect_postings(site: &Site, plain_texts: &[String]) -> (HanPostings, WordPostings) {
    const SLICE: usize = 1024;
    let mut han: HanPostings = HashMap::with_hasher(FastHash);
    let mut words: WordPostings = HashMap::new();
    for (slice_number, (pages, texts)) in site
        .pages
        .chunks(SLICE)
        .zip(plain_texts.chunks(SLICE))
        .enumerate()
    {
        let tokens: Vec<PageTokens> = pages
            .par_iter()
            .zip(texts.par_iter())
            .map(|(page, text)| page_tokens_for(site, &page.meta, text))
            .collect();
        for (offset, page) in tokens.into_iter().enumerate() {
            let page_number = (slice_number * SLICE + offset) as u32;
            for (key, placement) in page.han {
                han.entry(key).or_default().push(page_number, placement);
            }
            for (word, placement) in page.words {
                words.entry(word).or_default().push(page_number, placement);
            }
        }
    }
    (han, words)
}

/// `search/meta.js` again, after an edit changed a page's title, aliases, kind, level or tags.
pub fn meta_file(site: &Site, shards: u32) -> OutputFile {
    script_file("search/meta.js", "meta", &meta(site, shards))
}

#[derive(Serialize)]
struct Meta {
    shards: u32,
    chunk: usize,
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    pages: Vec<MetaPage>,
}

/// One page in `meta.js`, as a JSON array to keep it small:
/// `[url, title, kind index, level index or -1, [tag indices], [aliases]]`.
type MetaPage = (String, String, usize, i64, Vec<usize>, Vec<String>);

fn meta(site: &Site, shards: u32) -> Meta {
    let config = &site.config;
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| config.kind_config(*k).is_some())
        .collect();
    let position = |list: &[String], item: &str| list.iter().position(|x| x == item);
    let level_slugs: Vec<String> = config.levels.iter().map(|l| l.slug.clone()).collect();
    let tag_slugs: Vec<String> = config.tags.iter().map(|t| t.slug.clone()).collect();
    let pages = site
        .pages
        .iter()
        .map(|page| {
            let level = page
                .meta
                .level
                .as_deref()
                .and_then(|l| position(&level_slugs, l));
            (
                page_url(site, page),
                page.meta.title.clone(),
                kinds.iter().position(|k| *k == page.kind).unwrap_or(0),
                level.map_or(-1, |l| l as i64),
                page.meta
                    .tags
                    .iter()
                    .filter_map(|t| position(&tag_slugs, t))
                    .collect(),
                page.meta.aliases.clone(),
            )
        })
        .collect();
    Meta {
        shards,
        chunk: TEXT_CHUNK,
        kinds: kinds
            .iter()
            .filter_map(|k| {
                config
                    .kind_config(*k)
                    .map(|c| (k.slug().to_string(), c.name.clone()))
            })
            .collect(),
        levels: config
            .levels
            .iter()
            .map(|l| (l.slug.clone(), l.name.clone()))
            .collect(),
        tags: config
            .tags
            .iter()
            .map(|t| (t.slug.clone(), t.name.clone()))
            .collect(),
        pages,
    }
}

/// `PolicykbIndex.receive("name", …);` with JSON that cannot end the script early.
fn script_file<T: Serialize + ?Sized>(path: &str, name: &str, data: &T) -> OutputFile {
    let json = serde_json::to_string(data)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    let script = format!("PolicykbIndex.receive(\"{name}\",{json});\n");
    OutputFile {
        path: path.to_string(),
        contents: script.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        tokenize(text)
    }

    #[test]
    fn han_runs_become_overlapping_bigrams() {
        assert_eq!(tokens("一岗双责"), ["一岗", "岗双", "双责"]);
        assert_eq!(tokens("责"), ["责"]);
    }

    #[test]
    fn latin_and_digits_stay_whole_and_punctuation_splits() {
        assert_eq!(tokens("OA系统"), ["oa", "系统"]);
        assert_eq!(
            tokens("2024年，三会一课"),
            ["2024", "年", "三会", "会一", "一课"]
        );
    }

    #[test]
    fn full_width_forms_match_half_width() {
        assert_eq!(tokens("ＯＡ２０２４"), tokens("oa2024"));
    }

    #[test]
    fn no_stop_words() {
        assert_eq!(tokens("目的"), ["目的"]);
    }

    #[test]
    fn postings_are_delta_varints_in_base64() {
        let mut postings = Postings::default();
        postings.push(0, Placement::Title);
        postings.push(40, Placement::BodyOnce);
        // 0*4+3 = 3; 40*4+0 = 160 = 0xa0 → varint a0 01.
        assert_eq!(postings.bytes, [3, 0xa0, 0x01]);
        assert_eq!(base64(&postings.bytes), "A6AB");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn postings_decode_to_what_was_pushed() {
        let entries = [
            (0, Placement::Title),
            (3, Placement::BodyOnce),
            (700, Placement::BodyRepeated),
        ];
        assert_eq!(Postings::from_entries(&entries).entries(), entries);
    }

    #[test]
    fn shards_are_stable_and_in_range() {
        // The same value is computed in search.js; a change here breaks every built site.
        // FNV-1a of "a" is the published test vector 0xe40c292c.
        assert_eq!(shard_of("a", u32::MAX), 0xe40c_292c);
        assert!((0..1000).all(|i| shard_of(&format!("t{i}"), 8) < 8));
    }

    #[test]
    fn a_page_keeps_the_best_placement_of_each_token() {
        let page = page_tokens("一岗双责", "责任", "一岗双责 责任 责任 考核 oa oa 制度");
        let find = |t: &str| {
            let han = page
                .han
                .iter()
                .find(|(k, _)| Token::Han(*k).text() == t)
                .map(|(_, p)| *p);
            han.or_else(|| page.words.iter().find(|(w, _)| w == t).map(|(_, p)| *p))
        };
        assert_eq!(find("一岗"), Some(Placement::Title));
        assert_eq!(find("责任"), Some(Placement::AliasOrTag));
        assert_eq!(find("考核"), Some(Placement::BodyOnce));
        assert_eq!(find("oa"), Some(Placement::BodyRepeated));
        assert_eq!(find("制度"), Some(Placement::BodyOnce));
    }

    #[test]
    fn shared_fixture_matches() {
        let fixture = include_str!("../tests/fixtures/tokenizer.json");
        let cases: Vec<(String, Vec<String>)> =
            serde_json::from_str(fixture).expect("fixture is JSON");
        assert!(cases.len() >= 10);
        for (input, expected) in cases {
            assert_eq!(tokenize(&input), expected, "input {input:?}");
        }
    }
}
