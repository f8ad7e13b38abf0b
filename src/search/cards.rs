//! The glossary's cards: what a term link shows on hover or tap (its target's title and
//! summary, or a tag's description), loaded by the browser only when a reader points at a
//! term, the way index files are.
//!
//! Inline in every link, the cards were a quarter of a large site's HTML (a page links up to
//! one card per term it mentions) and a quarter of its build time. Here each card is written
//! once: a term link carries only its card's number (`data-term="N"`), the cards (each
//! `[where it leads, text]`) sit in
//! files of `CARDS_PER_FILE` (`search/c-K.<hash>.js`, K = N / CARDS_PER_FILE), and
//! `search/cards.js`, under a fixed name like `meta.js`, names those files.
//! A page's HTML therefore does not change when a card it links to does.

use serde::Serialize;

use crate::render::OutputFile;
use crate::site::Site;
use crate::terms::TermTarget;

use super::script_file;

/// Cards per file: a few kilobytes each, loaded one at a time.
pub const CARDS_PER_FILE: usize = 128;

/// The number of `target`'s card: a term page's number, or after all pages, a tag's.
pub fn card_number(site: &Site, target: TermTarget) -> usize {
    match target {
        TermTarget::Page(id) => id,
        TermTarget::Tag(i) => site.pages.len() + i,
    }
}

/// Card `number`, if it is a term's: where it leads (relative to the site root) and its
/// text, "title：summary" or the tag's card. The browser shows a card only on a link to the
/// same place: a page of an older build, whose numbers may differ, shows none rather than
/// another term's.
fn card(site: &Site, number: usize) -> Option<(String, String)> {
    if let Some(record) = site.pages.get(number) {
        let meta = &record.page.meta;
        let is_term = crate::terms::TERM_KINDS.contains(&record.page.kind);
        let text = format!("{}：{}", meta.title, meta.summary);
        return is_term.then(|| (site.url(number), text));
    }
    let tag = site.config.tags.get(number - site.pages.len())?;
    let strings = &site.theme.strings;
    let text = match tag.description.is_empty() {
        true => strings.get("cards.tag").replace("{name}", &tag.name),
        false => strings
            .get("cards.tag_with_description")
            .replace("{name}", &tag.name)
            .replace("{description}", &tag.description),
    };
    Some((crate::urls::tag(&tag.slug), text))
}

/// What `search/cards.js` holds.
#[derive(Serialize)]
struct CardFiles<'a> {
    per_file: usize,
    /// File K's name (`c-K.<hash>.js`), K from 0.
    files: Vec<&'a str>,
}

/// Every card file (`search/c-K.<hash>.js`), then `search/cards.js`, which names them.
pub fn card_files(site: &Site) -> Vec<OutputFile> {
    let count = site.pages.len() + site.config.tags.len();
    let mut files: Vec<OutputFile> = (0..count.div_ceil(CARDS_PER_FILE))
        .map(|k| {
            let numbers = k * CARDS_PER_FILE..count.min((k + 1) * CARDS_PER_FILE);
            let cards: Vec<Option<(String, String)>> = numbers.map(|n| card(site, n)).collect();
            script_file(&format!("c-{k}"), &cards)
        })
        .collect();
    let names = files
        .iter()
        .map(|f| f.path.rsplit('/').next().unwrap_or_default())
        .collect();
    let mut list = script_file(
        "cards",
        &CardFiles {
            per_file: CARDS_PER_FILE,
            files: names,
        },
    );
    list.path = crate::urls::search_file(CARDS_LIST);
    files.push(list);
    files
}

/// The file that names the card files, under a fixed name.
pub const CARDS_LIST: &str = "cards.js";
