//! Citation hygiene: a page cites documents by their titles, never by our file numbers.
//!
//! The bundled knowledge base keeps its source documents as files named `000_….txt`; a note
//! copied from the research stage easily leaks "文献 000" or "002 认为" into a page, which a
//! reader cannot decode. These checks turn such text into warnings, and warn when a body
//! links a source page that the page's `sources:` list leaves out.

use std::sync::OnceLock;

use regex::Regex;

use crate::content::{Kind, Page};
use crate::diagnostics::Diagnostic;
use crate::site::BodyLink;

/// `文献 000`, a zero-padded three-digit number standing alone (`000 主张`, `（003）`), or an
/// internal file name such as `001_c138b944cbf3dbd0.txt`.
fn bare_number_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"文献\s*\d{3}|[0-9]{3}_[0-9a-f]{8,}(?:\.txt)?|(?:^|[^0-9A-Za-z_./#%-])(0[0-9]{2})(?:$|[^0-9A-Za-z_.%-])")
            .expect("the pattern is valid")
    })
}

/// Whether `text` may hold a match of `bare_number_pattern`: it has 「文献」, three ASCII
/// digits before `_`, or a `0` and two digits after a character that may stand before a
/// number alone. A scan of bytes (ASCII bytes never occur inside a Chinese character's),
/// where the pattern's automaton walked every byte of every page: 3 % of a 10,000-page
/// build, whose texts are full of figures and dates but seldom hold anything the pattern
/// finds.
fn may_name_a_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let file_name = |i: usize| i >= 3 && digit(i - 3) && digit(i - 2) && digit(i - 1);
    let alone = |i: usize| {
        let before = i.checked_sub(1).map(|b| bytes[b]);
        let joined = before.is_some_and(|b| b.is_ascii_alphanumeric() || b"_./#%-".contains(&b));
        !joined && digit(i + 1) && digit(i + 2)
    };
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'_' => file_name(i),
        b'0' => alone(i),
        _ => false,
    }) || text.contains("文献")
}

/// A warning for every place in the front matter's texts or the body that names a source
/// by a bare number or file name.
pub fn bare_source_numbers(page: &Page, body: &str) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (place, text) in page.front_matter_texts() {
        if !may_name_a_number(text) {
            continue;
        }
        for found in bare_number_pattern().captures_iter(text) {
            let number = found.get(1).or(found.get(0)).map_or("", |m| m.as_str());
            let at = page.position_of_text(&place);
            warnings.push(warning(page, number).at(at.line, at.column));
        }
    }
    // One search of the whole body first: most pages have no match at all, and a newline
    // matches where a line's start or end would, so no match is missed.
    let lines = (may_name_a_number(body) && bare_number_pattern().is_match(body))
        .then(|| page.prose_lines(body));
    for (line_number, line) in lines.into_iter().flatten() {
        for found in bare_number_pattern().captures_iter(line) {
            let whole = found.get(0).expect("group 0 always matches");
            let at = found.get(1).unwrap_or(whole);
            let column = line[..at.start()].chars().count() + 1;
            warnings.push(warning(page, at.as_str()).at(line_number, column));
        }
    }
    warnings
}

fn warning(page: &Page, found: &str) -> Diagnostic {
    Diagnostic::warning(
        &page.file,
        format!("`{}` looks like a source's file number", found.trim()),
    )
    .with_hint("cite the document by its title, e.g. `据[](@/sources/x.md)`: an empty `@/` link shows the source's short title")
}

/// A warning when the body links a source page that the page's `sources:` does not list.
pub fn unlisted_source(page: &Page, target: &Page, link: &BodyLink) -> Option<Diagnostic> {
    let listed = page.meta.sources.contains(&target.slug);
    (target.kind == Kind::Source && page.kind != Kind::Source && !listed).then(|| {
        Diagnostic::warning(
            &page.file,
            format!(
                "the text cites {} but `sources:` does not list `{}`",
                target.short_title(),
                target.slug
            ),
        )
        .at(link.line, link.column)
        .with_hint(format!("add `{}` to `sources:`", target.slug))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str) -> Vec<String> {
        bare_number_pattern()
            .captures_iter(text)
            .map(|c| c.get(1).or(c.get(0)).unwrap().as_str().trim().to_string())
            .collect()
    }

    #[test]
    fn finds_file_numbers_and_file_names() {
        assert_eq!(matches("据文献 000，"), ["文献 000"]);
        assert_eq!(matches("002 认为"), ["002"]);
        assert_eq!(matches("（003）把"), ["003"]);
        assert_eq!(
            matches("见 001_c138b944cbf3dbd0.txt"),
            ["001_c138b944cbf3dbd0.txt"]
        );
    }

    /// The prefilter says "maybe" wherever the pattern finds something.
    #[test]
    fn the_byte_scan_never_misses_a_match() {
        for text in [
            "据文献 000，",
            "002 认为",
            "（003）把",
            "见 001_c138b944cbf3dbd0.txt",
            "开头\n007",
            "末尾 010",
            "文献０００",
        ] {
            assert!(!matches(text).is_empty(), "{text} is a match");
            assert!(may_name_a_number(text), "{text}");
        }
        for text in ["2025年", "392人次", "v0.1.0", "100%", "第 239 名", "a_1"] {
            assert!(!may_name_a_number(text), "{text}");
        }
        // Every short mix of the characters the pattern turns on.
        let alphabet = ["0", "1", "_", "a", "文献", " ", "（", ".", "\n"];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            for text in &texts {
                if !matches(text).is_empty() {
                    assert!(may_name_a_number(text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn leaves_figures_dates_and_anchors_alone() {
        for text in [
            "392人次",
            "2025年",
            "第 239 名",
            "[x](@/a/b.md#003)",
            "1.005",
            "v0.1.0",
            "100%",
        ] {
            assert!(matches(text).is_empty(), "{text}: {:?}", matches(text));
        }
    }
}
