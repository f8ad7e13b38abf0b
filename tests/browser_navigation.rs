//! The bundled knowledge base in a real headless Chromium: served over HTTP under a sub-path
//! and opened from `file://`, a reader can go from the home page to a problem, a tag and back,
//! and no link on any page is broken.

mod browser;

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use browser::{click_and_wait, eval, open, wait_for, Server};
use headless_chrome::Tab;

fn repository_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Home → a problem page → one of its tags → back to the problem → home, by clicking.
fn follow_reading_path(tab: &Tab, home: &str) {
    open(tab, home);
    let problem_title = wait_for(
        tab,
        "document.querySelector('.level-card li a').textContent",
    );
    click_and_wait(tab, ".level-card li a");
    let problem_url = tab.get_url();
    assert!(problem_url.contains("/problems/"), "{problem_url}");
    assert_eq!(
        eval(tab, "document.querySelector('h1').textContent"),
        problem_title
    );

    let tag_name = eval(tab, "document.querySelector('.tags a.tag').textContent");
    click_and_wait(tab, ".tags a.tag");
    assert!(tab.get_url().contains("/tags/"), "{}", tab.get_url());
    let heading = eval(tab, "document.querySelector('h1').textContent")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        heading.starts_with(tag_name.as_str().unwrap()),
        "{heading} vs {tag_name}"
    );

    let file = problem_url.rsplit('/').next().unwrap().to_string();
    let selector = format!(".group a[href$='{file}']");
    click_and_wait(tab, &selector);
    assert_eq!(tab.get_url(), problem_url);

    click_and_wait(tab, ".breadcrumbs a");
    assert!(tab.get_url().ends_with("index.html"), "{}", tab.get_url());
    assert!(
        eval(tab, "!!document.querySelector('.field-map')") == true,
        "not the home page"
    );
}

/// Visits every page reachable from the home page and checks every link and anchor.
/// Returns the number of pages visited.
fn crawl(tab: &Tab, home: &str, site_prefix: &str) -> usize {
    let mut queue = VecDeque::from([home.to_string()]);
    let mut visited = BTreeSet::new();
    let mut anchors: Vec<(String, String, String)> = Vec::new();
    let mut problems = Vec::new();
    while let Some(url) = queue.pop_front() {
        if !visited.insert(url.clone()) {
            continue;
        }
        open(tab, &url);
        // One round trip per page: evaluating is the slow part of driving the browser.
        let facts = eval(
            tab,
            "({ ok: !!document.querySelector('#main') && document.title.length > 0, \
                colour: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(), \
                ids: Array.from(document.querySelectorAll('[id]'), e => e.id), \
                links: Array.from(document.querySelectorAll('a[href]'), a => a.href) })",
        );
        if facts["ok"] != true {
            problems.push(format!("{url}: not a page of the site (missing file?)"));
            continue;
        }
        if facts["colour"] != "#a4161a" {
            problems.push(format!(
                "{url}: stylesheet not applied ({})",
                facts["colour"]
            ));
        }
        let ids: BTreeSet<String> = serde_json::from_value(facts["ids"].clone()).unwrap();
        anchors.retain(|(page, id, from)| {
            if *page == url && !ids.contains(id) {
                problems.push(format!("{from}: link to missing anchor #{id} on {page}"));
            }
            *page != url
        });
        let links: Vec<String> = serde_json::from_value(facts["links"].clone()).unwrap();
        for link in links {
            let (without_hash, hash) = link.split_once('#').unwrap_or((&link, ""));
            let page = without_hash.split('?').next().unwrap().to_string();
            if !page.starts_with(site_prefix) {
                problems.push(format!("{url}: link leaves the site: {link}"));
                continue;
            }
            if !page.ends_with(".html") {
                problems.push(format!("{url}: link does not name an HTML file: {link}"));
                continue;
            }
            let id = browser::percent_decode(hash);
            if page == url {
                if !id.is_empty() && !ids.contains(&id) {
                    problems.push(format!("{url}: link to missing anchor #{id}"));
                }
            } else {
                if !id.is_empty() {
                    anchors.push((page.clone(), id, url.clone()));
                }
                if !visited.contains(&page) {
                    queue.push_back(page);
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    visited.len()
}

#[test]
fn over_http_under_a_sub_path_every_link_works() {
    let www = browser::build_site(repository_root(), "nav-http");
    let server = Server::start(www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    let home = format!("{}index.html", server.base_url);
    follow_reading_path(&tab, &home);
    let pages = crawl(&tab, &home, &server.base_url);
    assert!(
        pages > 80,
        "only {pages} pages reachable from the home page"
    );
    assert!(
        server.missing().is_empty(),
        "requests for missing files: {:?}",
        server.missing()
    );
}

#[test]
fn from_file_urls_every_link_works() {
    let www = browser::build_site(repository_root(), "nav-file");
    let site = browser::site_folder(&www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    let prefix = browser::file_url(&site) + "/";
    let home = format!("{prefix}index.html");
    follow_reading_path(&tab, &home);
    let pages = crawl(&tab, &home, &prefix);
    assert!(
        pages > 80,
        "only {pages} pages reachable from the home page"
    );
}
