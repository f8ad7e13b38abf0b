//! Pinyin and homophones for search: `search/sounds.js` (the readings), loaded by the
//! browser only when a query is in Latin letters (pinyin, full or initials) or finds too
//! little (a typo), and `search/s-a.js` … `s-z.js` (the terms, by the letter their
//! spellings start with), of which a pinyin query loads the one of its first letter: at
//! 100,000 pages all terms together are 7 MB.
//!
//! Only titles, aliases and tag names get pinyin: transliterating the body would match
//! nearly anything (the noise that made Meilisearch's pinyin normaliser a problem,
//! charabia#285). Every reading of a polyphonic character counts (率 lü/shuai, 行 xing/hang).
//! The file holds each term's text and the readings of every character that sounds like a
//! character of some term; the browser spells the terms out (up to 16 spellings each) when
//! the first pinyin query comes, so the file stays small: at 10,000 pages the spellings
//! themselves were 11 MB, the readings are a quarter of a megabyte. The readings also let
//! the browser tell that 监都 is probably 监督: an IME's homophone.

use std::collections::{BTreeMap, BTreeSet};

use pinyin::ToPinyinMulti;
use serde::Serialize;

/// A term readers may type: a page's title or alias, or a tag's name.
pub struct Term {
    pub text: String,
    /// A page id, or `-(tag index + 1)` for a tag.
    pub target: i64,
}

/// The letters the terms are sharded by: every spelling begins with one (a pinyin query is
/// letters only, so a term spelt from a digit can never match one).
pub const LETTERS: std::ops::RangeInclusive<char> = 'a'..='z';

#[derive(Serialize)]
pub struct Sounds {
    /// Syllables without tones (`ü` written `v`), referred to by index.
    syllables: Vec<String>,
    /// `[text, target]`, the text folded as the search folds it (simplified, lower case,
    /// no spaces), with the letters its spellings can start with; in the shard files.
    #[serde(skip)]
    terms: Vec<(String, i64, Vec<char>)>,
    /// Character → indices of its readings, in the dictionary's order, for every character
    /// of a term and every character that shares a reading with one.
    chars: BTreeMap<char, Vec<u32>>,
}

/// The readings of a character, toneless, `ü` as `v`; empty for a non-Han character.
fn readings(c: char) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let text = c.to_string();
    for multi in text.as_str().to_pinyin_multi().flatten() {
        for reading in multi {
            let plain = reading.plain().replace('ü', "v");
            if !found.contains(&plain) {
                found.push(plain);
            }
        }
    }
    found
}

pub fn build(terms: &[Term]) -> Sounds {
    let mut readings_of: BTreeMap<char, Vec<String>> = BTreeMap::new();
    let mut entries = Vec::new();
    for term in terms {
        let folded: String = term
            .text
            .chars()
            .map(super::tokenizer::fold_char)
            .flat_map(char::to_lowercase)
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut spoken = false;
        // The first character that is spelt decides the letters the spellings start with.
        let mut starts: Option<Vec<char>> = None;
        for c in folded.chars() {
            let found = readings_of.entry(c).or_insert_with(|| readings(c));
            spoken |= !found.is_empty();
            if starts.is_none() && !found.is_empty() {
                let mut letters: Vec<char> =
                    found.iter().filter_map(|r| r.chars().next()).collect();
                letters.dedup();
                starts = Some(letters);
            } else if starts.is_none() && c.is_alphanumeric() {
                starts = Some(vec![c]);
            }
        }
        if spoken {
            entries.push((folded, term.target, starts.unwrap_or_default()));
        }
    }
    readings_of.retain(|_, found| !found.is_empty());
    let syllables: Vec<String> = readings_of
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let index: BTreeMap<&str, u32> = syllables
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    let ids = |found: &[String]| -> Vec<u32> {
        found
            .iter()
            .filter_map(|r| index.get(r.as_str()).copied())
            .collect()
    };
    let mut chars: BTreeMap<char, Vec<u32>> = readings_of
        .iter()
        .map(|(&c, found)| (c, ids(found)))
        .collect();
    // Every common ideograph that sounds like a character of a term.
    for c in (0x4E00..=0x9FA5).filter_map(char::from_u32) {
        if let std::collections::btree_map::Entry::Vacant(entry) = chars.entry(c) {
            let found = ids(&readings(c));
            if !found.is_empty() {
                entry.insert(found);
            }
        }
    }
    Sounds {
        syllables,
        terms: entries,
        chars,
    }
}

impl Sounds {
    /// The terms whose spellings can start with `letter`, as `[text, target]`.
    pub fn terms_starting(&self, letter: char) -> Vec<(&str, i64)> {
        self.terms
            .iter()
            .filter(|(_, _, starts)| starts.contains(&letter))
            .map(|(text, target, _)| (text.as_str(), *target))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str) -> Term {
        Term {
            text: text.into(),
            target: 0,
        }
    }

    /// The readings of `c`, as the browser reads them from the file.
    fn spoken(sounds: &Sounds, c: char) -> Vec<&str> {
        sounds.chars[&c]
            .iter()
            .map(|&i| sounds.syllables[i as usize].as_str())
            .collect()
    }

    #[test]
    fn terms_are_listed_with_the_readings_of_their_characters() {
        let sounds = build(&[term("监督 责任"), term("OA")]);
        assert_eq!(sounds.terms_starting('j'), [("监督责任", 0)]);
        assert_eq!(spoken(&sounds, '监'), ["jian"]);
        assert_eq!(spoken(&sounds, '责'), ["ze"]);
    }

    #[test]
    fn a_term_is_in_the_shard_of_each_letter_its_spellings_start_with() {
        let sounds = build(&[term("率先"), term("“一岗双责”"), term("OA系统")]);
        assert_eq!(sounds.terms_starting('s'), [("率先", 0)]);
        assert_eq!(sounds.terms_starting('l'), [("率先", 0)]);
        // Punctuation is not spelt: 一 (yi) decides.
        assert_eq!(sounds.terms_starting('y'), [("“一岗双责”", 0)]);
        assert_eq!(sounds.terms_starting('o'), [("oa系统", 0)]);
        assert!(sounds.terms_starting('x').is_empty());
    }

    #[test]
    fn polyphonic_characters_give_every_reading_and_v_stands_for_u_umlaut() {
        let sounds = build(&[term("率先"), term("绿色")]);
        let lv = spoken(&sounds, '率');
        assert!(lv.contains(&"shuai") && lv.contains(&"lv"), "{lv:?}");
        assert_eq!(spoken(&sounds, '绿')[0], "lv");
    }

    #[test]
    fn homophones_of_term_characters_are_listed_with_their_shared_readings() {
        let sounds = build(&[term("监督")]);
        // 都 (du/dou) sounds like 督 (du): the browser can correct 监都 to 监督.
        assert!(spoken(&sounds, '都').contains(&"du"));
        // A character sharing no reading with a term character is not listed.
        assert!(!sounds.chars.contains_key(&'啊'));
    }
}
