//! The URL scheme of a built site, in one place. Every URL is relative to the site root and
//! `/`-separated; templates prefix `root` (`""` or `"../"`), so the site works from any
//! sub-path and from `file://`.

use crate::output::MANIFEST_FILE;

pub const HOME: &str = "index.html";
pub const SEARCH_PAGE: &str = "search.html";
pub const NOT_FOUND_PAGE: &str = "404.html";
pub const PRINT_PAGE: &str = "print.html";
/// 术语表: every glossary term with its definition.
pub const TERMS_PAGE: &str = "terms.html";
/// 我的学习: progress, bookmarks, export and import.
pub const MINE_PAGE: &str = "mine.html";
/// The overview pages: problems × countermeasures, cases compared, the responsibility chain.
pub const OVERVIEW_FOLDER: &str = "overview";
pub const MATRIX_PAGE: &str = "overview/problems.html";
pub const CASES_PAGE: &str = "overview/cases.html";
pub const CHAIN_PAGE: &str = "overview/chain.html";
pub const TAG_INDEX: &str = "tags/index.html";
/// Theme and knowledge-base static files go under this folder.
pub const STATIC_FOLDER: &str = "static";
/// The search index's script files go under this folder.
pub const SEARCH_FOLDER: &str = "search";

/// Names at the top of the output that the generator writes itself: kinds may not use
/// them as folders.
pub const RESERVED: &[&str] = &[
    "levels",
    "tags",
    STATIC_FOLDER,
    SEARCH_FOLDER,
    HOME,
    SEARCH_PAGE,
    NOT_FOUND_PAGE,
    PRINT_PAGE,
    TERMS_PAGE,
    MINE_PAGE,
    OVERVIEW_FOLDER,
    MANIFEST_FILE,
];

/// Is `name` taken at the top of the output (also `*.html`, which could become a page)?
pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name) || name.ends_with(".html")
}

pub fn page(folder: &str, slug: &str) -> String {
    format!("{folder}/{slug}.html")
}

/// `courses/x.html` → `courses/x`: the folder of a course's handout and presentation.
pub fn course_folder(course_url: &str) -> String {
    course_url.trim_end_matches(".html").to_string()
}

pub fn handout(course_url: &str) -> String {
    format!("{}/handout.html", course_folder(course_url))
}

pub fn slides(course_url: &str) -> String {
    format!("{}/slides.html", course_folder(course_url))
}

pub fn kind_index(folder: &str) -> String {
    format!("{folder}/index.html")
}

pub fn level(slug: &str) -> String {
    format!("levels/{slug}.html")
}

/// A level's self-test page.
pub fn level_quiz(slug: &str) -> String {
    format!("levels/{slug}-quiz.html")
}

pub fn tag(slug: &str) -> String {
    format!("tags/{slug}.html")
}

pub fn static_file(name: &str) -> String {
    format!("{STATIC_FOLDER}/{name}")
}

/// Hex digits of a content hash in a file name.
pub const HASH_LENGTH: usize = 10;

/// `name` with the start of its content's SHA-256 before the extension: `style.css` →
/// `style.3f2a1c9d0b.css`. A changed file gets a new name; an unchanged one keeps it.
pub fn hashed_name(name: &str, contents: &[u8]) -> String {
    let digest = crate::output::manifest::hex(&crate::output::manifest::digest(contents));
    let hash = &digest[..HASH_LENGTH];
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}.{hash}.{extension}"),
        _ => format!("{name}.{hash}"),
    }
}

pub fn search_file(name: &str) -> String {
    format!("{SEARCH_FOLDER}/{name}")
}

/// `""` for files at the top, `"../"` for each folder down: what to prefix to a root URL.
pub fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}
