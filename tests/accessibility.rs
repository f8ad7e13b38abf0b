//! WCAG 2.1 A/AA in the default theme: axe-core runs in headless Chromium over every page of
//! the bundled knowledge base and of a site made by `policykb init`, served over HTTP under a
//! sub-path, at a desktop and a phone width, in light and in dark mode. Any violation fails
//! the test, and all of them are printed (page, width, rule, elements).
//!
//! axe-core comes from the npm registry: `.ci/run` installs it into `tests/.axe/`
//! (`npm install --no-save --no-package-lock --prefix tests/.axe axe-core@4`).

mod browser;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use browser::{build_site, eval_async, open, set_color_scheme, set_viewport, site_folder, Server};
use headless_chrome::protocol::cdp::Page;
use headless_chrome::Tab;

/// The rules of WCAG 2.0 and 2.1, levels A and AA.
const WCAG_TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']";

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (375, 740);

fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.axe/node_modules/axe-core/axe.min.js");
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nInstall axe-core first (as .ci/run does):\n  \
             npm install --no-save --no-package-lock --prefix tests/.axe axe-core@4",
            path.display()
        )
    })
}

/// Every HTML file of the built site, as paths relative to it.
fn html_pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

/// A tab in which axe-core is loaded into every document.
fn axe_tab(browser: &headless_chrome::Browser) -> std::sync::Arc<Tab> {
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(180));
    tab.call_method(Page::AddScriptToEvaluateOnNewDocument {
        source: axe_source(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .unwrap();
    tab
}

/// Runs axe-core on every page at every viewport and colour scheme; returns one line per
/// violation.
fn violations(site_root: &Path, name: &str) -> (usize, Vec<String>) {
    let www = build_site(site_root, name);
    let pages = html_pages(&site_folder(&www));
    let server = Server::start(www);
    let browser = browser::browser();
    let tab = axe_tab(&browser);
    let mut found = Vec::new();
    let mut runs = 0;
    for (scheme, viewports) in [("light", vec![DESKTOP, PHONE]), ("dark", vec![DESKTOP])] {
        set_color_scheme(&tab, scheme);
        for viewport in viewports {
            set_viewport(&tab, viewport.0, viewport.1);
            for page in &pages {
                open(&tab, &format!("{}{page}", server.base_url));
                let result = eval_async(
                    &tab,
                    &format!(
                        "axe.run(document, {{ runOnly: {{ type: 'tag', values: {WCAG_TAGS} }}, \
                         resultTypes: ['violations'] }}).then(r => r.violations.map(v => \
                         v.id + ' (' + v.impact + '): ' + v.help + ' — ' + \
                         v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + \
                         (v.nodes.length > 3 ? ' … ' + v.nodes.length + ' elements' : '')))"
                    ),
                );
                runs += 1;
                for violation in result.as_array().expect("axe returns a list") {
                    found.push(format!(
                        "{page} at {} px, {scheme}: {}",
                        viewport.0,
                        violation.as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    assert!(
        server.missing().is_empty(),
        "pages asked for files that are missing: {:?}",
        server.missing()
    );
    (runs, found)
}

fn assert_no_violations(site_root: &Path, name: &str, at_least: usize) {
    let (runs, found) = violations(site_root, name);
    assert!(
        runs >= at_least,
        "axe ran on only {runs} pages × views; expected at least {at_least}"
    );
    assert!(
        found.is_empty(),
        "{} WCAG 2.1 A/AA violations in {runs} runs:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_page_of_the_bundled_knowledge_base_meets_wcag_2_1_aa() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // 140-odd pages, each at two widths in light mode and at the desktop width in dark mode.
    assert_no_violations(&root, "axe-bundled", 3 * 100);
}

#[test]
fn every_page_of_an_init_site_meets_wcag_2_1_aa() {
    let dir = std::env::temp_dir().join(format!("policykb-axe-init-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    policykb::scaffold::init(&dir).unwrap();
    assert_no_violations(&dir, "axe-init", 3 * 5);
    fs::remove_dir_all(&dir).unwrap();
}
