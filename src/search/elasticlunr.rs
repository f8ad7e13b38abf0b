//! `search: { elasticlunr: true }`: the index also in elasticlunr.js 0.9.5's format, built by
//! elasticlunr-rs, for the portals, scripts and themes (ported from Zola or mdBook) that
//! read one. The built-in search does not use it (see README.md, "Why not elasticlunr").
//!
//! Three files, under fixed names so that another page can name them:
//! - `search/elasticlunr-index.json`: the index (fields title, aliases, tags and body; refs
//!   are page numbers; a document store with each page's title, URL relative to the site
//!   root, kind and summary), plus `policykb.fold`, the traditional/simplified pairs a query must be folded
//!   with;
//! - `search/elasticlunr-index.js`: the same, assigned to `window.searchIndex` as Zola does,
//!   so that it also loads from `file://`;
//! - `search/elasticlunr-tokenizer.js`: the theme's `tokenizer.js` and
//!   `elasticlunr-policykb.js`, which make elasticlunr.js tokenize queries as the index was.
//!
//! Tokens are the built-in search's (`tokenizer::tokenize`: Han bigrams, width, case and
//! traditional → simplified folding), with no pipeline after them: elasticlunr's English
//! trimmer would delete every Chinese token, and its stemmer has nothing to do.

use std::collections::BTreeMap;

use elasticlunr::{IndexBuilder, Language, Pipeline};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::render::OutputFile;
use crate::site::Site;
use crate::urls;

use super::tokenizer;

pub const JSON_FILE: &str = "elasticlunr-index.json";
pub const SCRIPT_FILE: &str = "elasticlunr-index.js";
pub const TOKENIZER_FILE: &str = "elasticlunr-tokenizer.js";

/// Above this size the build warns that the built-in search suits the site better.
pub const LARGE_BYTES: usize = 10 * 1024 * 1024;

/// Whether `file` (a name under `search/`) is one of the export's files.
pub fn is_export_file(file: &str) -> bool {
    [JSON_FILE, SCRIPT_FILE, TOKENIZER_FILE].contains(&file)
}

/// The built-in search's tokens, with no pipeline.
///
/// Its name is "English" because elasticlunr-rs can read an index back only under the name
/// of a language it was compiled with, and no optional language is: the name is stored,
/// never used (elasticlunr.js ignores it, and every field is tokenized here).
struct PolicykbTokens;

impl Language for PolicykbTokens {
    fn name(&self) -> String {
        "English".into()
    }

    fn code(&self) -> String {
        "en".into()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        tokenizer::tokenize(text)
    }

    fn make_pipeline(&self) -> Pipeline {
        Pipeline { queue: Vec::new() }
    }
}

/// What a result list needs of a page.
#[derive(Serialize)]
struct StoredPage<'a> {
    title: &'a str,
    url: String,
    kind: &'a str,
    summary: &'a str,
}

/// The index of every page, as elasticlunr.js reads it. A page's ref is its number (every
/// posting repeats it: a URL there would double the file); its URL is in the document store.
pub fn index_json(site: &Site, fold: &str) -> String {
    let mut index = IndexBuilder::with_language(Box::new(PolicykbTokens))
        .save_docs(false)
        .add_fields(["title", "aliases", "tags", "body"])
        .set_ref("id")
        .build();
    let mut stored = BTreeMap::new();
    for (id, record) in site.pages.iter().enumerate() {
        let meta = &record.page.meta;
        let tags: Vec<&str> = meta
            .tags
            .iter()
            .map(|slug| {
                site.config
                    .tag(slug)
                    .map_or(slug.as_str(), |t| t.name.as_str())
            })
            .collect();
        let body = format!("{}\n{}", meta.summary, record.plain_text());
        let reference = id.to_string();
        index.add_doc(
            &reference,
            [
                meta.title.as_str(),
                &meta.aliases.join(" "),
                &tags.join(" "),
                &body,
            ],
        );
        let kind = site
            .config
            .kind_config(record.page.kind)
            .map_or("", |k| k.name.as_str());
        let page = StoredPage {
            title: &meta.title,
            url: site.url(id),
            kind,
            summary: &meta.summary,
        };
        stored.insert(reference, page);
    }
    let built = serde_json::to_string(&index).unwrap_or_default();
    drop(index);
    with_document_store(&built, &stored, fold).unwrap_or(built)
}

/// elasticlunr-rs's JSON, its parts kept as they are.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Built<'a> {
    #[serde(borrow)]
    fields: &'a RawValue,
    #[serde(borrow)]
    pipeline: &'a RawValue,
    #[serde(borrow, rename = "ref")]
    reference: &'a RawValue,
    #[serde(borrow)]
    version: &'a RawValue,
    #[serde(borrow)]
    index: &'a RawValue,
    #[serde(borrow)]
    document_store: BuiltStore<'a>,
    #[serde(borrow)]
    lang: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuiltStore<'a> {
    #[serde(borrow)]
    doc_info: &'a RawValue,
    length: usize,
}

/// The same, with our document store and the fold pairs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Export<'a> {
    version: &'a RawValue,
    fields: &'a RawValue,
    #[serde(rename = "ref")]
    reference: &'a RawValue,
    pipeline: &'a RawValue,
    document_store: Store<'a>,
    index: &'a RawValue,
    lang: &'a RawValue,
    policykb: Extra<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Store<'a> {
    save: bool,
    docs: &'a BTreeMap<String, StoredPage<'a>>,
    doc_info: &'a RawValue,
    length: usize,
}

/// What policykb adds: the traditional/simplified pairs queries are folded with.
#[derive(Serialize)]
struct Extra<'a> {
    fold: &'a str,
}

/// `built` (elasticlunr-rs's JSON) with `stored` as its document store (elasticlunr-rs would
/// store every field's text, the whole body included) and the fold pairs. Re-wrapped
/// without parsing the index itself into a tree, which would take several times its size.
fn with_document_store(
    built: &str,
    stored: &BTreeMap<String, StoredPage<'_>>,
    fold: &str,
) -> Option<String> {
    let parts: Built = serde_json::from_str(built).ok()?;
    let export = Export {
        version: parts.version,
        fields: parts.fields,
        reference: parts.reference,
        pipeline: parts.pipeline,
        document_store: Store {
            save: true,
            docs: stored,
            doc_info: parts.document_store.doc_info,
            length: parts.document_store.length,
        },
        index: parts.index,
        lang: parts.lang,
        policykb: Extra { fold },
    };
    serde_json::to_string(&export).ok()
}

/// The export's three files: the index of `site` (with the search's `fold` pairs) and the
/// theme's two scripts.
pub fn export(site: &Site, fold: &str) -> Vec<OutputFile> {
    let script = |name: &str| {
        site.theme
            .static_files
            .get(name)
            .cloned()
            .unwrap_or_default()
    };
    files(
        index_json(site, fold),
        &script("tokenizer.js"),
        &script(ADAPTER),
    )
}

/// The theme's script that makes elasticlunr.js tokenize as the index did.
pub const ADAPTER: &str = "elasticlunr-policykb.js";

fn files(json: String, tokenizer_js: &[u8], adapter_js: &[u8]) -> Vec<OutputFile> {
    let script = format!("window.searchIndex = {};\n", json.replace('<', "\\u003c"));
    let mut tokenizer_file = tokenizer_js.to_vec();
    tokenizer_file.extend_from_slice(b"\n");
    tokenizer_file.extend_from_slice(adapter_js);
    vec![
        OutputFile {
            path: urls::search_file(JSON_FILE),
            contents: json.into_bytes(),
        },
        OutputFile {
            path: urls::search_file(SCRIPT_FILE),
            contents: script.into_bytes(),
        },
        OutputFile {
            path: urls::search_file(TOKENIZER_FILE),
            contents: tokenizer_file,
        },
    ]
}
