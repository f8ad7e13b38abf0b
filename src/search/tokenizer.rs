//! The tokenizer shared with the browser (`static/tokenizer.js` does the same steps).
//!
//! Text is normalised (full-width → half-width, traditional → simplified, lower case), Han
//! runs become overlapping bigrams (a lone Han character stays itself), Latin/digit runs stay
//! whole, and anything else ends a run. There are no stop words: dropping 的/了 would break 目的/了解. This is a
//! wire format: a built site's index holds these tokens, and the browser must make the same
//! ones from a query, so it is written by hand here and in JavaScript, and a shared fixture
//! (`tests/fixtures/tokenizer.json`) checks both.

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

/// The character as the index sees it: half-width, simplified (not yet lower-cased).
pub fn fold_char(c: char) -> char {
    super::fold::simplified(half_width(c))
}

/// `text` folded as the browser's `normalise` folds it: half-width, simplified, lower case.
pub fn fold_text(text: &str) -> String {
    text.chars()
        .map(fold_char)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Chinese text's own punctuation (，is folded to ASCII before this): the General
/// Punctuation block (“ ” — …) and the brackets and marks of CJK Symbols and Punctuation
/// (、。《》「」【】), which hold no letter or digit; the rest of that block (々 〇 〡 …)
/// does. Every other character is looked up in Unicode's tables.
fn is_punctuation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}')
}

/// Calls `visit` with every token of `text`, in order: Han bigrams, whole Latin/digit words.
pub fn for_each_token(text: &str, mut visit: impl FnMut(Token<'_>)) {
    let mut state = TokenState::default();
    for c in text.chars() {
        let c = fold_char(c);
        if is_punctuation(c) {
            // What `feed` would make of it, without the two Unicode table look-ups.
            state.end_word(&mut visit);
            state.end_han_run(&mut visit);
        } else if c.is_ascii() || is_han(c) {
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

/// Where each token's postings live: its `fnv1a` hash modulo the shard count.
pub fn shard_of(token: &str, shard_count: u32) -> u32 {
    fnv1a(token) % shard_count
}

/// FNV-1a over the text's UTF-16 code units, so the browser (which sees strings as
/// UTF-16) computes the same number with a few lines of code (`fnv1a` in search-index.js).
pub fn fnv1a(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in text.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_published_32_bit_hash_over_utf16_units() {
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
        // A Chinese character is one UTF-16 unit, hashed as one (not as its 3 UTF-8 bytes).
        assert_eq!(
            fnv1a("责"),
            (0x811c_9dc5 ^ 0x8d23u32).wrapping_mul(0x0100_0193)
        );
    }

    #[test]
    fn han_runs_become_overlapping_bigrams() {
        assert_eq!(tokenize("一岗双责"), ["一岗", "岗双", "双责"]);
        assert_eq!(tokenize("责"), ["责"]);
    }

    #[test]
    fn latin_and_digits_stay_whole_and_punctuation_splits() {
        assert_eq!(tokenize("OA系统"), ["oa", "系统"]);
        assert_eq!(
            tokenize("2024年，三会一课"),
            ["2024", "年", "三会", "会一", "一课"]
        );
    }

    #[test]
    fn full_width_forms_match_half_width() {
        assert_eq!(tokenize("ＯＡ２０２４"), tokenize("oa2024"));
    }

    #[test]
    fn the_punctuation_fast_path_splits_as_unicode_says() {
        let ranges = [0x2000..=0x206F, 0x3000..=0x3004, 0x3008..=0x3020];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            assert!(is_punctuation(c));
            assert!(
                !c.is_alphanumeric() && !is_han(c),
                "{c:?} is part of a token"
            );
        }
        assert_eq!(
            tokenize("“责任”——《清单》、考核。"),
            ["责任", "清单", "考核"]
        );
    }

    #[test]
    fn no_stop_words() {
        assert_eq!(tokenize("目的"), ["目的"]);
    }

    #[test]
    fn shards_are_stable_and_in_range() {
        // The same value is computed in search.js; a change here breaks every built site.
        // FNV-1a of "a" is the published test vector 0xe40c292c.
        assert_eq!(shard_of("a", u32::MAX), 0xe40c_292c);
        assert!((0..1000).all(|i| shard_of(&format!("t{i}"), 8) < 8));
    }

    #[test]
    fn shared_fixture_matches() {
        let fixture = include_str!("../../tests/fixtures/tokenizer.json");
        let cases: Vec<(String, Vec<String>)> =
            serde_json::from_str(fixture).expect("fixture is JSON");
        assert!(cases.len() >= 10);
        for (input, expected) in cases {
            assert_eq!(tokenize(&input), expected, "input {input:?}");
        }
    }
}
