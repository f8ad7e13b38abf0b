//! One Markdown file (front matter and body) → a page, and its body → HTML: never a panic,
//! and nothing from the input reaches the HTML as markup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policykb::content::{parse_page, Kind, SourceFile};
use policykb::markdown;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in Kind::ALL {
        let source = SourceFile {
            kind,
            file: "content/x/a.md".into(),
            content_path: "x/a.md".into(),
            text: text.to_string(),
        };
        if let Ok(page) = parse_page(&source) {
            let _ = markdown::body_links(&page.body, page.body_first_line, &page.content_path);
            let html = markdown::render(&page.body, &page.content_path, &|_| None).html;
            assert!(!html.contains("<script"), "raw HTML reached the output");
        }
    }
});
