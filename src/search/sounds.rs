//! Pinyin and homophones for search: `search/sounds.js` (the readings), loaded by the
//! browser only when a query is in Latin letters (pinyin, full or initials) or finds too
//! little (a typo), and `search/s-ab.js` … (the terms, by the two letters their spellings
//! start with: `s-ze`, `s-zr` …), of which a pinyin query loads the one of its first two
//! letters: at 100,000 pages all terms together are 7 MB, one first letter's up to 2 MB.
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

#[derive(Serialize)]
pub struct Sounds {
    /// Syllables without tones (`ü` written `v`), referred to by index.
    syllables: Vec<String>,
    /// `[text, target]`, the text folded as the search folds it (simplified, lower case,
    /// no spaces), with the two letters its spellings can start with; in the shard files.
    #[serde(skip)]
    terms: Vec<(String, i64, Vec<String>)>,
    /// Character → indices of its readings, in the dictionary's order, for every character
    /// of a term and every character that shares a reading with one.
    chars: BTreeMap<char, Vec<u32>>,
}

/// The first two letters of every spelling of a term, full and initials, from the options
/// of its spelt characters in order (as `spellingsOf` in search-query.js spells it): the
/// files the term is in. 率先 → `sh`, `lv`, `sx`, `lx`.
fn starts_of(units: &[Vec<String>]) -> Vec<String> {
    let mut starts = BTreeSet::new();
    for initials in [false, true] {
        let mut partial = vec![String::new()];
        for options in units {
            if partial.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for prefix in &partial {
                for option in options {
                    let added = if initials {
                        option.chars().take(1).collect::<String>()
                    } else {
                        option.clone()
                    };
                    let spelling = format!("{prefix}{added}");
                    match spelling.char_indices().nth(2) {
                        Some((end, _)) => {
                            starts.insert(spelling[..end].to_string());
                        }
                        None if spelling.chars().count() == 2 => {
                            starts.insert(spelling);
                        }
                        None => next.push(spelling),
                    }
                }
            }
            next.dedup();
            partial = next;
        }
    }
    // A query is spelt in a–z only.
    starts
        .into_iter()
        .filter(|start| start.chars().all(|c| c.is_ascii_lowercase()))
        .collect()
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
        let folded: String = super::tokenizer::fold_text(&term.text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut spoken = false;
        let mut units = Vec::new();
        for c in folded.chars() {
            let found = readings_of.entry(c).or_insert_with(|| readings(c));
            spoken |= !found.is_empty();
            if !found.is_empty() {
                units.push(found.clone());
            } else if c.is_alphanumeric() {
                units.push(vec![c.to_string()]);
            }
        }
        if spoken {
            entries.push((folded, term.target, starts_of(&units)));
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
    /// The terms by the two letters their spellings start with, as `[text, target]`.
    pub fn terms_by_start(&self) -> BTreeMap<&str, Vec<(&str, i64)>> {
        let mut by_start: BTreeMap<&str, Vec<(&str, i64)>> = BTreeMap::new();
        for (text, target, starts) in &self.terms {
            for start in starts {
                by_start
                    .entry(start.as_str())
                    .or_default()
                    .push((text.as_str(), *target));
            }
        }
        by_start
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

    /// The terms of the file of spellings starting with `start`.
    fn starting<'a>(sounds: &'a Sounds, start: &str) -> Vec<(&'a str, i64)> {
        sounds.terms_by_start().remove(start).unwrap_or_default()
    }

    #[test]
    fn terms_are_listed_with_the_readings_of_their_characters() {
        let sounds = build(&[term("监督 责任"), term("OA")]);
        assert_eq!(starting(&sounds, "ji"), [("监督责任", 0)]);
        assert_eq!(starting(&sounds, "jd"), [("监督责任", 0)]);
        assert_eq!(spoken(&sounds, '监'), ["jian"]);
        assert_eq!(spoken(&sounds, '责'), ["ze"]);
    }

    #[test]
    fn a_term_is_in_the_file_of_the_two_letters_each_of_its_spellings_starts_with() {
        let sounds = build(&[
            term("率先"),
            term("“一岗双责”"),
            term("OA系统"),
            term("额度"),
        ]);
        for start in ["sh", "lv", "sx", "lx"] {
            assert_eq!(starting(&sounds, start), [("率先", 0)], "{start}");
        }
        // Punctuation is not spelt: 一 (yi) decides.
        assert_eq!(starting(&sounds, "yi"), [("“一岗双责”", 0)]);
        assert_eq!(starting(&sounds, "yg"), [("“一岗双责”", 0)]);
        assert_eq!(starting(&sounds, "oa"), [("oa系统", 0)]);
        // A one-letter syllable takes its second letter from the next character: e + du.
        assert_eq!(starting(&sounds, "ed"), [("额度", 0)]);
        assert!(starting(&sounds, "xi").is_empty());
        assert_eq!(
            sounds.terms_by_start().len(),
            9,
            "{:?}",
            sounds.terms_by_start()
        );
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
