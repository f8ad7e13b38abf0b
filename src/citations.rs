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
        Regex::new(r"文献\s*\d{3}|\d{3}_[0-9a-f]{8,}(?:\.txt)?|(?:^|[^0-9A-Za-z_./#%-])(0\d{2})(?:$|[^0-9A-Za-z_.%-])")
            .expect("the pattern is valid")
    })
}

/// A warning for every place in the front matter's texts or the body that names a source
/// by a bare number or file name.
pub fn bare_source_numbers(page: &Page, body: &str) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (at, text) in page.front_matter_texts() {
        for found in bare_number_pattern().captures_iter(text) {
            let number = found.get(1).or(found.get(0)).map_or("", |m| m.as_str());
            warnings.push(warning(page, number).at(at.line, at.column));
        }
    }
    // One search of the whole body first: most pages have no match at all, and a newline
    // matches where a line's start or end would, so no match is missed.
    let lines = bare_number_pattern()
        .is_match(body)
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
