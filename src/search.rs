//! Search: the Chinese-aware tokenizer and the full-text index the browser searches.
//!
//! The index is built with elasticlunr-rs in its JSON format, using our own `Language`:
//! text is normalised (full-width → half-width, lower case), Han runs become overlapping
//! bigrams (a lone Han character stays itself), Latin/digit runs stay whole, and anything
//! else ends a run. The browser runs the very same tokenizer (`static/tokenizer.js`), so
//! query tokens always match index tokens. There are no stop words: dropping 的/了 would
//! break 目的/了解.
//!
//! The index is emitted as `search-index.js`, a script that assigns a global, because a
//! site opened from `file://` cannot fetch JSON.

use elasticlunr::pipeline::Pipeline;
use elasticlunr::{IndexBuilder, Language};
use serde::Serialize;

use crate::content::Kind;
use crate::links::Site;
use crate::markdown;
use crate::render::{page_url, OutputFile};

/// Full-width ASCII forms and the ideographic space become their half-width forms; lower case.
pub fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Is `c` a Han (Chinese) character?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x30000..=0x3134F)
}

/// Splits text into search tokens: Han bigrams, whole Latin/digit words.
pub fn tokenize(text: &str) -> Vec<String> {
    let text = normalise(text);
    let mut tokens = Vec::new();
    let mut han_run: Vec<char> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut tokens);
            han_run.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han_run, &mut tokens);
            word.push(c);
        } else {
            flush_word(&mut word, &mut tokens);
            flush_han(&mut han_run, &mut tokens);
        }
    }
    flush_word(&mut word, &mut tokens);
    flush_han(&mut han_run, &mut tokens);
    tokens
}

fn flush_word(word: &mut String, tokens: &mut Vec<String>) {
    if !word.is_empty() {
        tokens.push(std::mem::take(word));
    }
}

fn flush_han(run: &mut Vec<char>, tokens: &mut Vec<String>) {
    match run.len() {
        0 => {}
        1 => tokens.push(run[0].to_string()),
        _ => tokens.extend(run.windows(2).map(|pair| pair.iter().collect::<String>())),
    }
    run.clear();
}

/// The tokenizer as an elasticlunr `Language`, with an empty pipeline (no stemming, no stop words).
struct ChineseBigrams;

impl Language for ChineseBigrams {
    fn name(&self) -> String {
        "ChineseBigrams".into()
    }
    fn code(&self) -> String {
        "zh".into()
    }
    fn tokenize(&self, text: &str) -> Vec<String> {
        tokenize(text)
    }
    fn make_pipeline(&self) -> Pipeline {
        Pipeline { queue: Vec::new() }
    }
}

/// What the browser needs to show and filter a result, stored next to the index.
#[derive(Debug, Serialize)]
struct SearchDoc {
    url: String,
    title: String,
    kind: String,
    kind_name: String,
    level: String,
    level_name: String,
    tags: Vec<String>,
    aliases: Vec<String>,
    summary: String,
    /// Plain text of the body, for phrase verification and snippets.
    text: String,
}

#[derive(Serialize)]
struct Filters {
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    tags: Vec<(String, String)>,
}

/// Fields of the index, in the order documents are added.
pub const FIELDS: [&str; 4] = ["title", "aliases", "tags", "body"];

/// `search-index.js`: the elasticlunr index, the documents and the filter vocabularies.
pub fn index_files(site: &Site) -> Vec<OutputFile> {
    let mut index = IndexBuilder::with_language(Box::new(ChineseBigrams))
        .save_docs(false)
        .add_fields(FIELDS)
        .build();
    let mut docs = Vec::with_capacity(site.pages.len());
    for (number, page) in site.pages.iter().enumerate() {
        let text = markdown::render(&page.body, &|_| None).plain_text;
        let tag_names: Vec<String> = page
            .meta
            .tags
            .iter()
            .map(|t| {
                site.config
                    .tag(t)
                    .map_or_else(|| t.clone(), |c| c.name.clone())
            })
            .collect();
        let body = format!("{} {}", page.meta.summary, text);
        index.add_doc(
            &number.to_string(),
            [
                &page.meta.title,
                &page.meta.aliases.join(" "),
                &tag_names.join(" "),
                &body,
            ],
        );
        let level = page.meta.level.clone().unwrap_or_default();
        docs.push(SearchDoc {
            url: page_url(site, page),
            title: page.meta.title.clone(),
            kind: page.kind.slug().to_string(),
            kind_name: site
                .config
                .kind_config(page.kind)
                .map_or_else(String::new, |k| k.name.clone()),
            level_name: site
                .config
                .level(&level)
                .map_or_else(String::new, |l| l.name.clone()),
            level,
            tags: page.meta.tags.clone(),
            aliases: page.meta.aliases.clone(),
            summary: page.meta.summary.clone(),
            text,
        });
    }
    let filters = Filters {
        kinds: Kind::ALL
            .into_iter()
            .filter(|k| *k != Kind::Page)
            .filter_map(|k| {
                site.config
                    .kind_config(k)
                    .map(|c| (k.slug().to_string(), c.name.clone()))
            })
            .collect(),
        levels: site
            .config
            .levels
            .iter()
            .map(|l| (l.slug.clone(), l.name.clone()))
            .collect(),
        tags: site
            .config
            .tags
            .iter()
            .map(|t| (t.slug.clone(), t.name.clone()))
            .collect(),
    };
    let script = format!(
        "window.POLICYKB_SEARCH = {{\"index\": {}, \"docs\": {}, \"filters\": {}}};\n",
        index.to_json(),
        to_script_json(&docs),
        to_script_json(&filters)
    );
    vec![OutputFile {
        path: "search-index.js".into(),
        contents: script.into_bytes(),
    }]
}

/// JSON that is safe inside a script: `<` is escaped so `</script>` in content cannot end it.
fn to_script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
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
