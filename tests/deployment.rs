//! Updating a deployed site: two builds share every file that did not change, never reuse
//! an asset's name for other contents, and a browser that cached the first build searches
//! the second one correctly.

mod browser;
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use browser::{eval, open, wait_for, Server};
use common::Fixture;

/// Every file of a built site with its contents, by path.
fn files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    common::tree(site).into_iter().collect()
}

/// Names that stay the same from build to build (and are served to be checked each time):
/// pages, `search/meta.js` and the manifest. Everything else is named after its contents.
fn is_entry_point(path: &str) -> bool {
    path.ends_with(".html") || path == "search/meta.js" || path == ".policykb-output"
}

fn edit_one_page_text(f: &Fixture) {
    let path = "content/problems/formalism.md";
    let text = f.read_source(path);
    f.write(
        path,
        &format!("{text}\n另有一段新写的文字：数字化督办台账。\n"),
    );
}

#[test]
fn two_builds_differ_only_in_the_files_that_had_to_change_and_never_reuse_an_asset_name() {
    let f = Fixture::valid();
    f.build().unwrap();
    let first = files(&f.output());
    edit_one_page_text(&f);
    f.build().unwrap();
    let second = files(&f.output());

    let changed: Vec<&String> = second
        .iter()
        .filter(|(path, contents)| first.get(*path) != Some(contents))
        .map(|(path, _)| path)
        .collect();
    // The page, the document of every page, the search files of its text, the manifest.
    for path in &changed {
        let allowed = [
            "problems/formalism.html",
            "print.html",
            "search/meta.js",
            ".policykb-output",
        ]
        .contains(&path.as_str())
            || path.starts_with("search/");
        assert!(allowed, "{path} changed although only one page's text did");
    }
    assert!(
        changed.iter().any(|p| p.starts_with("search/t-")),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|p| p.starts_with("static/")),
        "{changed:?}"
    );

    // A name is never reused for other contents, except the entry points.
    for (path, contents) in &second {
        if let Some(before) = first.get(path) {
            assert!(
                before == contents || is_entry_point(path),
                "{path} kept its name with new contents"
            );
        }
    }
    // Every asset a page of either build names exists in that build.
    for build in [&first, &second] {
        for (path, contents) in build.iter().filter(|(p, _)| p.ends_with(".html")) {
            let text = String::from_utf8_lossy(contents);
            for asset in text
                .split(['"', '\''])
                .filter(|s| s.contains("static/") && (s.ends_with(".css") || s.ends_with(".js")))
            {
                let target = asset.trim_start_matches("../");
                assert!(
                    build.contains_key(target),
                    "{path} names {asset}, not in its build"
                );
            }
        }
    }
}

/// What the search page lists for `query`, once it has searched.
fn results(tab: &headless_chrome::Tab) -> Vec<String> {
    wait_for(tab, "document.getElementById('search-status').textContent.length > 0 && !document.getElementById('search-status').textContent.includes('正在加载')");
    serde_json::from_value(eval(
        tab,
        "Array.from(document.querySelectorAll('#search-results li:not(.tag-item) a'), a => a.getAttribute('href').split(/[?#]/)[0])",
    ))
    .unwrap()
}

#[test]
fn a_browser_that_cached_the_previous_build_searches_the_new_one_correctly() {
    let f = Fixture::valid();
    let www = browser::build_site(&f.root, "update");
    let server = Server::start(www.clone());
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    let query = |q: &str| {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        format!("{}search.html?q={encoded}", server.base_url)
    };
    open(&tab, &query("形式化"));
    assert!(results(&tab).contains(&"problems/formalism.html".to_string()));
    let style = common::hashed(&browser::site_folder(&www), "static/style.css");
    let requested = |path: &str| {
        let wanted = format!("{}{path}", browser::SUB_PATH);
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| **r == wanted)
            .count()
    };
    assert_eq!(requested(&style), 1);

    // The IT department rebuilds the site in place with one page's text changed.
    edit_one_page_text(&f);
    let options = policykb::BuildOptions {
        root: f.root.clone(),
        output: Some(browser::site_folder(&www)),
        pdf_browser: None,
    };
    policykb::build(&options).unwrap();

    // The reader comes back: the page is new, the unchanged stylesheet comes from the cache,
    // and the search finds the new words without asking for a file that is gone.
    open(&tab, &query("数字化督办台账"));
    assert_eq!(
        results(&tab).first().map(String::as_str),
        Some("problems/formalism.html")
    );
    open(&tab, &query("形式化"));
    assert!(results(&tab).contains(&"problems/formalism.html".to_string()));
    assert_eq!(
        requested(&style),
        1,
        "the unchanged stylesheet was fetched again"
    );
    assert!(server.missing().is_empty(), "{:?}", server.missing());
    assert_eq!(eval(&tab, "typeof PolicykbIndex.loaded()"), "object");
}

#[test]
fn compressed_copies_are_written_beside_text_files_when_asked_and_verify_checks_them() {
    let f = Fixture::valid();
    f.build().unwrap();
    assert!(!common::tree(&f.output())
        .iter()
        .any(|(p, _)| p.ends_with(".gz")));
    f.write(
        "content/site.yaml",
        &format!("{}\ncompress: true\n", common::site_yaml()),
    );
    f.build().unwrap();
    let site = files(&f.output());
    let manifest = String::from_utf8_lossy(&site[".policykb-output"]).into_owned();
    let mut copies = 0;
    for (path, contents) in &site {
        let Some(original) = path.strip_suffix(".gz") else {
            continue;
        };
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(contents.as_slice()),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(&unzipped, &site[original], "{path}");
        assert!(
            manifest.contains(&format!("  {path}\n")),
            "{path} not in the manifest"
        );
        copies += 1;
    }
    for page in ["index.html", "problems/formalism.html", "search/meta.js"] {
        assert!(site.contains_key(&format!("{page}.gz")), "no {page}.gz");
    }
    assert!(copies > 10, "{copies}");
    // Deterministic: the same build again writes the same bytes.
    f.build().unwrap();
    assert_eq!(files(&f.output()), site);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policykb"))
        .arg("verify")
        .arg(f.output())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
