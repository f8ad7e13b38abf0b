//! Folding traditional characters (and CJK compatibility ideographs) to simplified ones, so
//! that 黨建 finds 党建 and 責任清單 finds 责任清单, in the index and in queries alike.
//!
//! The table is OpenCC's `TSCharacters` (through the `hanconv` crate), one character to
//! one character: search needs no phrase-level conversion, because both sides are folded
//! the same way. The browser gets only the part of the table whose simplified side occurs
//! in the site (`fold` in `search/meta.js`), so it never downloads the whole table.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// First and one-past-last code point of the dense part of the table (the BMP ideographs).
const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xFB00;

/// Code point → simplified code point (0: unchanged), for `DENSE_START..DENSE_END`.
fn table() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![0u32; (DENSE_END - DENSE_START) as usize];
        let mut set = |from: char, to: char| {
            let at = from as u32;
            if (DENSE_START..DENSE_END).contains(&at) && from != to {
                table[(at - DENSE_START) as usize] = to as u32;
            }
        };
        // CJK compatibility ideographs are their unified ideographs (NFC).
        for code in 0xF900..0xFB00 {
            if let Some(c) = char::from_u32(code) {
                let unified: Vec<char> = std::iter::once(c).nfc().collect();
                if let [u] = unified[..] {
                    set(c, u);
                }
            }
        }
        for (traditional, simplified) in hanconv::RawDictionary::TSCharacters.iter() {
            let mut from = traditional.chars();
            let mut to = simplified.chars();
            if let (Some(f), None, Some(t), None) = (from.next(), from.next(), to.next(), to.next())
            {
                set(f, t);
            }
        }
        // A compatibility ideograph whose unified form is traditional folds all the way.
        for i in 0..table.len() {
            let next = table[i];
            if next != 0 && (DENSE_START..DENSE_END).contains(&next) {
                let further = table[(next - DENSE_START) as usize];
                if further != 0 {
                    table[i] = further;
                }
            }
        }
        table
    })
}

/// The simplified form of `c` (itself if it has none).
pub fn simplified(c: char) -> char {
    let code = c as u32;
    if !(DENSE_START..DENSE_END).contains(&code) {
        return c;
    }
    match table()[(code - DENSE_START) as usize] {
        0 => c,
        to => char::from_u32(to).unwrap_or(c),
    }
}

/// The pairs (traditional, simplified) whose simplified character is in `used`, as one
/// string of two characters per pair: what the browser needs to fold queries for this site.
pub fn pairs_for(used: &BTreeSet<char>) -> String {
    let table = table();
    let mut pairs = String::new();
    for (i, &to) in table.iter().enumerate() {
        let Some(to) = char::from_u32(to).filter(|t| *t != '\0') else {
            continue;
        };
        if used.contains(&to) {
            if let Some(from) = char::from_u32(DENSE_START + i as u32) {
                pairs.push(from);
                pairs.push(to);
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_characters_fold_to_simplified() {
        let folded: String = "黨建責任清單監督為體".chars().map(simplified).collect();
        assert_eq!(folded, "党建责任清单监督为体");
    }

    #[test]
    fn simplified_and_other_characters_stay() {
        let text = "党建 责任 OA 2024 ，。";
        assert_eq!(text.chars().map(simplified).collect::<String>(), text);
    }

    #[test]
    fn compatibility_ideographs_fold_to_unified_ones_and_on_to_simplified() {
        // U+F900 is 豈 (U+8C48), whose simplified form is 岂.
        assert_eq!(simplified('\u{f900}'), '岂');
        assert_eq!(simplified('\u{8c48}'), '岂');
    }

    #[test]
    fn the_browser_gets_only_the_pairs_the_site_needs() {
        let used: BTreeSet<char> = "党责".chars().collect();
        let pairs = pairs_for(&used);
        assert!(pairs.contains("黨党") && pairs.contains("責责"), "{pairs}");
        assert!(!pairs.contains('单'));
        assert!(pairs.chars().count() < 40, "{pairs}");
    }
}
