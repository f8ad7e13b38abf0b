//! Pinyin and homophones for search: `search/sounds.js`, loaded by the browser only when a
//! query is in Latin letters (pinyin, full or initials) or finds too little (a typo).
//!
//! Only titles, aliases and tag names get pinyin: transliterating the body would match
//! nearly anything (the noise that made Meilisearch's pinyin normaliser a problem,
//! charabia#285). Every reading of a polyphonic character counts (率 lü/shuai, 行 xing/hang),
//! so a term has up to `MAX_VARIANTS` spellings. For typos, the file also lists the readings
//! of every character that sounds like a character of some term, so the browser can tell that
//! 监都 is probably 监督: an IME's homophone.

use std::collections::{BTreeMap, BTreeSet};

use pinyin::ToPinyinMulti;
use serde::Serialize;

/// Spellings kept per term (polyphonic characters multiply them).
const MAX_VARIANTS: usize = 16;

/// A term readers may type: a page's title or alias, or a tag's name.
pub struct Term {
    pub text: String,
    /// A page id, or `-(tag index + 1)` for a tag.
    pub target: i64,
}

#[derive(Serialize)]
pub struct Sounds {
    /// Syllables without tones (`ü` written `v`), referred to by index.
    syllables: Vec<String>,
    /// `[text, target, [full pinyin spellings], [initials spellings]]`.
    terms: Vec<(String, i64, Vec<String>, Vec<String>)>,
    /// Character → indices of its readings, for every character that shares a reading
    /// with a character of a term.
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
    let mut syllables: BTreeSet<String> = BTreeSet::new();
    let mut term_chars: BTreeSet<char> = BTreeSet::new();
    let mut entries = Vec::new();
    for term in terms {
        let folded: String = term
            .text
            .chars()
            .map(super::tokenizer::fold_char)
            .flat_map(char::to_lowercase)
            .filter(|c| !c.is_whitespace())
            .collect();
        let mut full: Vec<String> = vec![String::new()];
        let mut initials: Vec<String> = vec![String::new()];
        for c in folded.chars() {
            let options = readings(c);
            if options.is_empty() {
                if c.is_alphanumeric() {
                    full.iter_mut().for_each(|f| f.push(c));
                    initials.iter_mut().for_each(|f| f.push(c));
                }
                continue;
            }
            term_chars.insert(c);
            syllables.extend(options.iter().cloned());
            full = extend(&full, options.iter().map(String::as_str));
            initials = extend(&initials, options.iter().map(|o| &o[..1]));
        }
        if full.iter().any(|f| !f.is_empty()) {
            entries.push((folded, term.target, full, initials));
        }
    }
    let syllables: Vec<String> = syllables.into_iter().collect();
    let index: BTreeMap<&str, u32> = syllables
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    let mut chars = BTreeMap::new();
    // Every common ideograph that sounds like a character of a term.
    for code in 0x4E00..=0x9FA5 {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        let ids: Vec<u32> = readings(c)
            .iter()
            .filter_map(|r| index.get(r.as_str()).copied())
            .collect();
        if !ids.is_empty() {
            chars.insert(c, ids);
        }
    }
    debug_assert!(term_chars.iter().all(|c| chars.contains_key(c)));
    Sounds {
        syllables,
        terms: entries,
        chars,
    }
}

/// Every spelling so far followed by every option, up to `MAX_VARIANTS`.
fn extend<'a>(so_far: &[String], options: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let mut next = Vec::new();
    for prefix in so_far {
        for option in options.clone() {
            if next.len() < MAX_VARIANTS {
                next.push(format!("{prefix}{option}"));
            }
        }
    }
    next.dedup();
    next
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

    #[test]
    fn terms_get_full_pinyin_and_initials() {
        let sounds = build(&[term("监督责任")]);
        let (text, _, full, initials) = &sounds.terms[0];
        assert_eq!(text, "监督责任");
        assert_eq!(full[0], "jianduzeren");
        assert_eq!(initials[0], "jdzr");
    }

    #[test]
    fn polyphonic_characters_give_every_reading_and_v_stands_for_u_umlaut() {
        let sounds = build(&[term("率先"), term("绿色")]);
        assert!(
            sounds.terms[0].2.contains(&"shuaixian".to_string()),
            "{:?}",
            sounds.terms[0].2
        );
        assert!(sounds.terms[0].2.contains(&"lvxian".to_string()));
        assert!(
            sounds.terms[1].2.contains(&"lvse".to_string()),
            "{:?}",
            sounds.terms[1].2
        );
    }

    #[test]
    fn homophones_of_term_characters_are_listed_with_their_readings() {
        let sounds = build(&[term("监督")]);
        let du = sounds.syllables.iter().position(|s| s == "du").unwrap() as u32;
        assert!(sounds.chars[&'都'].contains(&du));
        assert!(sounds.chars[&'督'].contains(&du));
        assert!(!sounds.chars.contains_key(&'责'));
    }
}
