//! Postings: which pages hold a token, and how strongly (where on the page it stands).
//!
//! A wire format shared with `static/search.js`: per token, pages in ascending order, each
//! as a varint of `(page - previous page) * 4 + placement`, then base64 so it travels in a
//! JavaScript string.

use std::collections::HashMap;

use base64::Engine as _;
use rustc_hash::FxHashMap;

use super::tokenizer::{fold_char, fold_text, for_each_token, is_han, Token};

/// What starts the token of a character of a page's name (see `with_name_characters`).
pub const NAME_CHARACTER: char = '#';
/// What starts the token of a page's whole title or alias, folded (see `with_name_characters`).
pub const WHOLE_NAME: char = '=';

/// Where on a page a token was found, best place last. Stored in the two low bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placement {
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

    /// A token seen once more: a second body occurrence makes it `BodyRepeated`.
    fn combine(self, seen: Placement) -> Placement {
        match (self, seen) {
            (Placement::BodyOnce, Placement::BodyOnce) => Placement::BodyRepeated,
            _ => self.max(seen),
        }
    }
}

/// The postings of one token, encoded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Postings {
    bytes: Vec<u8>,
    last_page: u32,
}

impl Postings {
    pub fn from_entries(entries: &[(u32, Placement)]) -> Postings {
        let mut postings = Postings::default();
        for &(page, placement) in entries {
            postings.push(page, placement);
        }
        postings
    }

    /// The (page, placement) pairs, decoded.
    pub fn entries(&self) -> Vec<(u32, Placement)> {
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

    /// Appends a page; pages must come in ascending order.
    pub fn push(&mut self, page: u32, placement: Placement) {
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

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}

/// A page's unique tokens with their best placement (Han tokens in no particular order,
/// words sorted).
pub struct PageTokens {
    pub han: Vec<(u64, Placement)>,
    pub words: Vec<(String, Placement)>,
}

impl PageTokens {
    /// The tokens of a page's title, its aliases and tag names, and its text.
    pub fn of(title: &str, aliases_and_tags: &str, body: &str) -> PageTokens {
        let mut han: FxHashMap<u64, Placement> = FxHashMap::default();
        han.reserve(1024);
        let mut words: HashMap<String, Placement> = HashMap::new();
        for (text, placement) in [
            (body, Placement::BodyOnce),
            (aliases_and_tags, Placement::AliasOrTag),
            (title, Placement::Title),
        ] {
            for_each_token(text, |token| match token {
                Token::Han(key) => {
                    han.entry(key)
                        .and_modify(|p| *p = p.combine(placement))
                        .or_insert(placement);
                }
                Token::Word(word) => match words.get_mut(word) {
                    Some(p) => *p = p.combine(placement),
                    None => {
                        words.insert(word.to_string(), placement);
                    }
                },
            });
        }
        // In the map's own order: each token's postings are per page, so the order of one
        // page's tokens changes nothing, and FxHash has no random seed (the same every build).
        let han: Vec<(u64, Placement)> = han.into_iter().collect();
        let mut words: Vec<(String, Placement)> = words.into_iter().collect();
        words.sort_unstable();
        PageTokens { han, words }
    }

    /// Adds a token `#c` for every Han character `c` of the title and the aliases (placed
    /// `Title` or `AliasOrTag`): what a query of one character, or one that shares
    /// characters but no bigram with a name (上面热下面冷 → 上热中温下冷), finds names by,
    /// without downloading every page's name. And `=name`, the whole title or alias folded:
    /// the page whose name is the query ranks first without every candidate's name read.
    /// `#` and `=` never occur in another token.
    pub fn with_name_characters(mut self, title: &str, aliases: &[String]) -> PageTokens {
        let mut found: HashMap<String, Placement> = HashMap::new();
        let names = std::iter::once((title, Placement::Title))
            .chain(aliases.iter().map(|a| (a.as_str(), Placement::AliasOrTag)));
        for (name, placement) in names {
            let best = found
                .entry(format!("{WHOLE_NAME}{}", fold_text(name)))
                .or_insert(placement);
            *best = (*best).max(placement);
            for c in name.chars().map(fold_char).filter(|c| is_han(*c)) {
                let best = found
                    .entry(format!("{NAME_CHARACTER}{c}"))
                    .or_insert(placement);
                *best = (*best).max(placement);
            }
        }
        self.words.extend(found);
        self.words.sort_unstable();
        self
    }

    /// Every token as text with its placement.
    pub fn into_texts(self) -> Vec<(String, Placement)> {
        let han = self.han.into_iter().map(|(k, p)| (Token::Han(k).text(), p));
        han.chain(self.words).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_are_delta_varints_in_base64() {
        let mut postings = Postings::default();
        postings.push(0, Placement::Title);
        postings.push(40, Placement::BodyOnce);
        // 0*4+3 = 3; 40*4+0 = 160 = 0xa0 → varint a0 01.
        assert_eq!(postings.bytes, [3, 0xa0, 0x01]);
        assert_eq!(postings.to_base64(), "A6AB");
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
    fn a_page_keeps_the_best_placement_of_each_token() {
        let page = PageTokens::of("一岗双责", "责任", "一岗双责 责任 责任 考核 oa oa 制度");
        let texts = page.into_texts();
        let find = |t: &str| texts.iter().find(|(x, _)| x == t).map(|(_, p)| *p);
        assert_eq!(find("一岗"), Some(Placement::Title));
        assert_eq!(find("责任"), Some(Placement::AliasOrTag));
        assert_eq!(find("考核"), Some(Placement::BodyOnce));
        assert_eq!(find("oa"), Some(Placement::BodyRepeated));
        assert_eq!(find("制度"), Some(Placement::BodyOnce));
    }

    #[test]
    fn the_characters_of_names_are_tokens_of_their_own() {
        let aliases = ["上热中温下冷".to_string()];
        let page = PageTokens::of("責任傳導", "上热中温下冷", "正文")
            .with_name_characters("責任傳導", &aliases);
        let texts = page.into_texts();
        let find = |t: &str| texts.iter().find(|(x, _)| x == t).map(|(_, p)| *p);
        assert_eq!(find("#责"), Some(Placement::Title), "folded to simplified");
        assert_eq!(find("#热"), Some(Placement::AliasOrTag));
        assert_eq!(find("#正"), None, "body text has no character tokens");
        assert_eq!(find("责任"), Some(Placement::Title));
        assert_eq!(
            find("=责任传导"),
            Some(Placement::Title),
            "the whole title, folded"
        );
        assert_eq!(find("=上热中温下冷"), Some(Placement::AliasOrTag));
    }
}
