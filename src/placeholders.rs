//! Placeholders that `policykb new` writes into a page (`【待填写：摘要】`): a warning for
//! each one still there, so that a half-written page is never published unnoticed.

use crate::content::Page;
use crate::diagnostics::Diagnostic;

/// How every placeholder begins.
pub const MARK: &str = "【待填写";

/// A placeholder for the blank that `what` names, e.g. `placeholder("一句话摘要")`.
pub fn placeholder(what: &str) -> String {
    format!("{MARK}：{what}】")
}

/// A warning for every placeholder in the front matter's texts or in the body's prose
/// (not in code, where a guide may show one as an example).
pub fn left_in(page: &Page, body: &str) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for (place, text) in page.front_matter_texts() {
        if let Some(found) = find(text).next() {
            let at = page.position_of_text(&place);
            warnings.push(warning(page, found.1).at(at.line, at.column));
        }
    }
    let lines = body.contains(MARK).then(|| page.prose_lines(body));
    for (line_number, line) in lines.into_iter().flatten() {
        for (start, found) in find(line) {
            let column = line[..start].chars().count() + 1;
            warnings.push(warning(page, found).at(line_number, column));
        }
    }
    warnings
}

/// Each placeholder of `text` outside inline code, as (byte offset, placeholder text).
fn find(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices(MARK).filter_map(move |(start, _)| {
        let backticks_before = text[..start].matches('`').count();
        if backticks_before % 2 == 1 {
            return None;
        }
        let rest = &text[start..];
        let end = rest.find('】').map_or(rest.len(), |i| i + '】'.len_utf8());
        Some((start, &rest[..end]))
    })
}

fn warning(page: &Page, found: &str) -> Diagnostic {
    Diagnostic::warning(&page.file, format!("placeholder left in: {found}")).with_hint(
        "replace it with the page's own text, or delete the line if the field is optional",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_but_not_those_in_inline_code() {
        let text = "甲【待填写：地点】乙 `【待填写：示例】` 丙【待填写";
        let found: Vec<_> = find(text).map(|(_, p)| p).collect();
        assert_eq!(found, ["【待填写：地点】", "【待填写"]);
        assert_eq!(placeholder("摘要"), "【待填写：摘要】");
    }
}
