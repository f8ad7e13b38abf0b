//! The default theme: the overview pages agree with the references; phones get readable
//! pages (tables scroll in their own box, no text squeezed to a character per line); dark
//! mode follows the system and the 深浅 button; the 404 page finds its way home.

mod browser;
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use browser::{
    build_site, eval, open, set_color_scheme, set_viewport, site_folder, wait_for, Server,
};
use common::Fixture;
use headless_chrome::Tab;

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The front matter of every page under `content/`, by "folder/slug".
fn front_matters(content: &Path) -> BTreeMap<String, serde_yaml::Value> {
    let mut pages = BTreeMap::new();
    for entry in walkdir::WalkDir::new(content).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = fs::read_to_string(path).unwrap();
        let Some(rest) = text.strip_prefix("---\n") else {
            continue;
        };
        let yaml = &rest[..rest.find("\n---").unwrap()];
        let key = path
            .strip_prefix(content)
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace('\\', "/");
        pages.insert(key, serde_yaml::from_str(yaml).unwrap());
    }
    pages
}

fn list(front: &serde_yaml::Value, field: &str) -> Vec<String> {
    front
        .get(field)
        .and_then(|v| v.as_sequence())
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Which pages of `other` (a folder) a problem is linked with, in either direction: the
/// problem names them in `field`, or they name the problem in `problems`.
fn linked(
    pages: &BTreeMap<String, serde_yaml::Value>,
    problem: &str,
    other: &str,
    field: &str,
) -> BTreeSet<String> {
    let slug = problem.trim_start_matches("problems/");
    let mut found: BTreeSet<String> = list(&pages[problem], field)
        .into_iter()
        .map(|s| format!("{other}/{s}"))
        .collect();
    for (key, front) in pages {
        if key.starts_with(&format!("{other}/"))
            && list(front, "problems").iter().any(|p| p == slug)
        {
            found.insert(key.clone());
        }
    }
    found
}

/// The links in the row of `<tr data-problem="problems/x.html">` that carry `marker`, as
/// "folder/slug".
fn row_links(html: &str, problem_url: &str, marker: &str) -> BTreeSet<String> {
    let start = html
        .find(&format!("<tr data-problem=\"{problem_url}\">"))
        .unwrap_or_else(|| panic!("no row for {problem_url}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<a href=\"")
        .skip(1)
        .filter(|a| a[..a.find('>').unwrap()].contains(marker))
        .map(|a| {
            let href = &a[..a.find('"').unwrap()];
            href.trim_start_matches("../")
                .trim_end_matches(".html")
                .to_string()
        })
        .collect()
}

#[test]
fn every_problems_countermeasures_and_cases_are_in_its_overview_row() {
    let root = repository_root();
    let pages = front_matters(&root.join("content"));
    let out = std::env::temp_dir().join(format!("policykb-overview-{}", std::process::id()));
    let options = policykb::BuildOptions {
        root: root.clone(),
        output: Some(out.clone()),
        pdf_browser: None,
    };
    policykb::build(&options).unwrap();
    let matrix = fs::read_to_string(out.join("overview/problems.html")).unwrap();
    let problems: Vec<&String> = pages
        .keys()
        .filter(|k| k.starts_with("problems/"))
        .collect();
    assert_eq!(problems.len(), 12, "the twelve problem categories");
    for problem in problems {
        let url = format!("{problem}.html");
        let measures = linked(&pages, problem, "countermeasures", "countermeasures");
        assert!(!measures.is_empty(), "{problem} has countermeasures");
        assert_eq!(
            row_links(&matrix, &url, "data-countermeasure"),
            measures,
            "{problem}: countermeasures in the overview row"
        );
        let cases = linked(&pages, problem, "cases", "cases");
        let shown_cases: BTreeSet<String> = row_links(&matrix, &url, "")
            .into_iter()
            .filter(|l| l.starts_with("cases/"))
            .collect();
        assert_eq!(shown_cases, cases, "{problem}: cases in the overview row");
    }
    // The matrix marks exactly the same pairs: one ● per countermeasure of each row.
    let marks = matrix.matches("<span aria-label=\"针对\">●</span>").count();
    let pairs: usize = pages
        .keys()
        .filter(|k| k.starts_with("problems/"))
        .map(|p| linked(&pages, p, "countermeasures", "countermeasures").len())
        .sum();
    assert_eq!(marks, pairs, "● marks in the matrix");
    fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_new_countermeasure_appears_in_the_rows_of_the_problems_it_names() {
    let f = Fixture::valid();
    f.write(
        "content/countermeasures/new-measure.md",
        "---\ntitle: 新的措施\nsummary: 新增。\nproblems:\n  - formalism\nsources:\n  - doc\n---\n\n正文。\n",
    );
    f.build().unwrap();
    let matrix = f.read("overview/problems.html");
    assert!(
        row_links(&matrix, "problems/formalism.html", "data-countermeasure")
            .contains("countermeasures/new-measure")
    );
    // The level page of that problem lists it too.
    let level = f.read("levels/implementation.html");
    assert!(
        level.contains("countermeasures/new-measure.html"),
        "{level}"
    );
}

#[test]
fn the_cases_table_shows_what_the_case_pages_give() {
    let root = repository_root();
    let pages = front_matters(&root.join("content"));
    let out = std::env::temp_dir().join(format!("policykb-cases-{}", std::process::id()));
    let options = policykb::BuildOptions {
        root,
        output: Some(out.clone()),
        pdf_browser: None,
    };
    policykb::build(&options).unwrap();
    let table = fs::read_to_string(out.join("overview/cases.html")).unwrap();
    let mut with_figures = 0;
    for (key, front) in pages.iter().filter(|(k, _)| k.starts_with("cases/")) {
        let start = table
            .find(&format!("href=\"../{key}.html\""))
            .unwrap_or_else(|| panic!("{key} is not in the cases table"));
        let row = &table[start..start + table[start..].find("</tr>").unwrap()];
        for field in ["place", "date", "mechanism"] {
            if let Some(value) = front.get(field).and_then(|v| v.as_str()) {
                assert!(row.contains(value), "{key}: {field} {value:?} in {row}");
            }
        }
        for figure in list(front, "figures") {
            assert!(row.contains(&figure), "{key}: figure {figure:?}");
            with_figures += 1;
        }
    }
    assert!(with_figures >= 8, "the named cases give their figures");
    fs::remove_dir_all(&out).unwrap();
}

/// What is wrong with the page's layout on a phone, as readable lines (empty when nothing):
/// the page scrolls sideways, a table is wider than its scroll box or the box than the
/// screen, or a run of text stands one or two characters to a line.
const PHONE_LAYOUT_PROBLEMS: &str = r#"(() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
  }
  for (const table of document.querySelectorAll('main table')) {
    const box = table.closest('.table-scroll');
    const name = (table.querySelector('caption, th') || table).textContent.trim().slice(0, 20);
    if (!box) {
      if (table.getBoundingClientRect().width > width + 1) { problems.push('table ' + name + ' is wider than the screen, outside a scroll box'); }
    } else if (box.getBoundingClientRect().right > width + 1) {
      problems.push('the scroll box of table ' + name + ' is wider than the screen');
    }
  }
  // Lines of a block: the height of its text (its width, set upright) over its line height.
  for (const block of document.querySelectorAll('main p, main li, main td, main th, main dd, main dt, main h1, main h2, main h3')) {
    const text = block.textContent.replace(/\s+/g, '');
    if (text.length < 4 || !block.getClientRects().length) { continue; }
    const range = document.createRange();
    range.selectNodeContents(block);
    const style = getComputedStyle(block);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.8;
    const box = range.getBoundingClientRect();
    const across = style.writingMode.startsWith('vertical') ? box.width : box.height;
    const lines = Math.round(across / lineHeight);
    if (lines >= 3 && text.length / lines < 2.5) {
      problems.push(lines + ' lines for "' + text.slice(0, 12) + '" in <' + block.tagName.toLowerCase() + '>');
    }
  }
  return problems;
})()"#;

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

#[test]
fn on_a_phone_tables_scroll_in_their_box_and_no_text_stands_a_character_per_line() {
    let www = build_site(&repository_root(), "phone");
    let pages = html_pages(&site_folder(&www));
    let server = Server::start(www);
    let browser = browser::browser();
    let tab = browser.new_tab().unwrap();
    set_viewport(&tab, 375, 740);
    let mut found = Vec::new();
    let mut tables = 0;
    for page in &pages {
        open(&tab, &format!("{}{page}", server.base_url));
        tables += eval(
            &tab,
            "document.querySelectorAll('main .table-scroll table').length",
        )
        .as_u64()
        .unwrap();
        for problem in eval(&tab, PHONE_LAYOUT_PROBLEMS).as_array().unwrap() {
            found.push(format!("{page}: {}", problem.as_str().unwrap()));
        }
    }
    assert!(
        tables >= 5,
        "the overview and content tables are checked ({tables})"
    );
    // The check itself sees a squeezed table (a cell two characters wide) and a wide one.
    eval(
        &tab,
        "document.querySelector('main').insertAdjacentHTML('beforeend', \
         '<table><tr><td style=\"width:2em\">一二三四五六七八九十</td><td>宽</td></tr></table>\
         <table style=\"width:900px\"><tr><td>宽表</td></tr></table>')",
    );
    let squeezed = eval(&tab, PHONE_LAYOUT_PROBLEMS).to_string();
    assert!(
        squeezed.contains("lines for \\\"一二三四五六七八"),
        "{squeezed}"
    );
    assert!(squeezed.contains("wider than the screen"), "{squeezed}");
    assert!(
        found.is_empty(),
        "{} problems at 375 px:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The page's background colour, as "rgb(…)".
fn background(tab: &Tab) -> String {
    eval(tab, "getComputedStyle(document.body).backgroundColor")
        .as_str()
        .unwrap()
        .to_string()
}

const WHITE: &str = "rgb(255, 255, 255)";
const DARK: &str = "rgb(22, 24, 28)";

#[test]
fn dark_mode_follows_the_system_and_the_button_and_printouts_stay_light() {
    let f = Fixture::with("course");
    let www = build_site(&f.root, "dark");
    let server = Server::start(www);
    let browser = browser::browser();
    let tab = browser.new_tab().unwrap();
    let page = format!("{}problems/formalism.html", server.base_url);

    set_color_scheme(&tab, "light");
    open(&tab, &page);
    assert_eq!(background(&tab), WHITE);

    set_color_scheme(&tab, "dark");
    open(&tab, &page);
    assert_eq!(background(&tab), DARK, "the system asks for dark");
    let text = eval(&tab, "getComputedStyle(document.body).color");
    assert_eq!(text, "rgb(230, 230, 230)");
    // A handout is paper: light even in dark mode.
    open(
        &tab,
        &format!("{}courses/intro/handout.html", server.base_url),
    );
    assert_eq!(background(&tab), WHITE, "printouts stay light");

    // The 深浅 button overrides the system, and the choice is kept across pages.
    open(&tab, &page);
    let button = tab.wait_for_element("[data-theme-toggle]").unwrap();
    assert_eq!(
        eval(
            &tab,
            "document.querySelector('[data-theme-toggle]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    button.click().unwrap();
    wait_for(
        &tab,
        "document.documentElement.getAttribute('data-theme') === 'light'",
    );
    assert_eq!(background(&tab), WHITE);
    open(&tab, &format!("{}index.html", server.base_url));
    assert_eq!(background(&tab), WHITE, "the reader's choice is remembered");
    assert_eq!(
        eval(
            &tab,
            "document.querySelector('[data-theme-toggle]').textContent"
        ),
        "深色"
    );
}

#[test]
fn the_404_page_leads_home_from_any_depth_under_a_sub_path() {
    let www = build_site(&repository_root(), "not-found");
    let server = Server::start(www);
    let browser = browser::browser();
    let tab = browser.new_tab().unwrap();
    for missing in [
        "problems/no-such-page.html",
        "no-such-page.html",
        "levels/gone/deeper.html",
    ] {
        open(&tab, &format!("{}{missing}", server.base_url));
        assert_eq!(
            eval(&tab, "document.querySelector('h1').textContent"),
            "页面不存在"
        );
        let home = eval(&tab, "document.querySelector('[data-home]').href");
        assert_eq!(
            home,
            format!("{}index.html", server.base_url),
            "from {missing}"
        );
    }
}

/// Runs git in the fixture, failing loudly (git is there wherever the repository was cloned).
fn git(f: &Fixture, args: &[&str], date: &str) {
    let status = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=测试",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .current_dir(&f.root)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn the_last_updated_date_is_the_front_matter_date_else_the_last_commit_never_the_build_time() {
    let f = Fixture::valid();
    // Not a git checkout and no `updated:`: no date at all (never the build time).
    f.build().unwrap();
    assert!(!f.read("problems/formalism.html").contains("最后更新"));

    git(&f, &["init", "-q"], "2024-03-05T10:00:00+08:00");
    git(&f, &["add", "."], "2024-03-05T10:00:00+08:00");
    git(
        &f,
        &["commit", "-q", "-m", "first"],
        "2024-03-05T10:00:00+08:00",
    );
    let lists = f.read_source("content/countermeasures/lists.md");
    f.write(
        "content/countermeasures/lists.md",
        &lists.replace("清单管理。", "清单管理，逐项对账。"),
    );
    git(
        &f,
        &["commit", "-q", "-am", "second"],
        "2025-06-30T09:00:00+08:00",
    );
    let formalism = f.read_source("content/problems/formalism.md");
    f.write(
        "content/problems/formalism.md",
        &formalism.replace("sources: [doc]", "sources: [doc]\nupdated: 2026-11-30"),
    );
    f.build().unwrap();
    let updated = |page: &str| {
        let html = f.read(page);
        html.find("最后更新")
            .map(|i| html[i..].chars().take(60).collect::<String>())
            .unwrap_or_default()
    };
    assert!(
        updated("problems/formalism.html").contains("2026-11-30"),
        "the front matter wins"
    );
    assert!(
        updated("countermeasures/lists.html").contains("2025-06-30"),
        "the last commit: {}",
        updated("countermeasures/lists.html")
    );
    assert!(
        updated("cases/anyang.html").contains("2024-03-05"),
        "the only commit"
    );
}

#[test]
fn relation_pages_open_with_a_glance_box_and_list_their_relations_in_the_table_of_contents() {
    let f = Fixture::valid();
    f.build().unwrap();
    let html = f.read("problems/formalism.html");
    let glance = html.find("class=\"glance\"").expect("a glance box");
    let first_heading = html.find("<h2 id=\"表现\"").unwrap();
    assert!(
        glance < first_heading,
        "the glance box comes before the text"
    );
    let glance_box = &html[glance..glance + html[glance..].find("</aside>").unwrap()];
    for (label, link) in [
        ("层面", "levels/implementation.html"),
        ("整改措施", "countermeasures/lists.html"),
        ("来源", "sources/doc.html"),
    ] {
        assert!(
            glance_box.contains(label) && glance_box.contains(link),
            "{label}: {glance_box}"
        );
    }
    // Relation sections are in the table of contents, after the text's own headings.
    let toc = &html[html.find("<nav class=\"toc\"").unwrap()..];
    let toc = &toc[..toc.find("</nav>").unwrap()];
    for section in ["表现", "危害", "整改措施", "相关问题"] {
        assert!(
            toc.contains(&format!(">{section}</a>")),
            "{section} in {toc}"
        );
    }
    // A section of pages that only link here says so.
    f.write(
        "content/pages/reading.md",
        "---\ntitle: 读案例\nsummary: 一篇说明。\n---\n\n先读[某地做法](@/cases/anyang.md)。\n",
    );
    f.build().unwrap();
    let case = f.read("cases/anyang.html");
    assert!(case.contains("（链接到本页）"), "back-links are labelled");
}

#[test]
fn the_table_of_contents_nests_h3_under_h2() {
    let f = Fixture::valid();
    f.write(
        "content/pages/nested.md",
        "---\ntitle: 层次\nsummary: 目录嵌套。\n---\n\n## 一\n\n### 一之一\n\n### 一之二\n\n## 二\n\n正文。\n",
    );
    f.build().unwrap();
    let html = f.read("pages/nested.html");
    let toc = &html[html.find("<nav class=\"toc\"").unwrap()..];
    let toc = &toc[..toc.find("</nav>").unwrap()];
    let squeezed: String = toc.split_whitespace().collect();
    assert!(
        squeezed.contains("一</a><ol><li><ahref=\"#一之一\">一之一</a></li><li><ahref=\"#一之二\">一之二</a></li></ol></li><li><ahref=\"#二\">二</a>"),
        "{toc}"
    );
}

#[test]
fn the_home_heading_counts_the_levels_the_site_has() {
    let f = Fixture::valid();
    f.build().unwrap();
    let home = f.read("index.html");
    assert!(home.contains("问题全景：2 个层面"), "{home}");
    assert!(!home.contains("六个层面"));
}

#[test]
fn countermeasures_are_grouped_by_the_levels_of_their_problems() {
    let root = repository_root();
    let out = std::env::temp_dir().join(format!("policykb-groups-{}", std::process::id()));
    let options = policykb::BuildOptions {
        root,
        output: Some(out.clone()),
        pdf_browser: None,
    };
    policykb::build(&options).unwrap();
    let index = fs::read_to_string(out.join("countermeasures/index.html")).unwrap();
    let mut at = 0;
    for level in [
        "责任认知",
        "责任落实",
        "责任追究",
        "制度执行",
        "责任传导",
        "示范引领",
    ] {
        let heading = index[at..]
            .find(&format!(">针对{level}层面问题的措施"))
            .unwrap_or_else(|| panic!("{level} heading, in order"));
        at += heading;
    }
    fs::remove_dir_all(&out).unwrap();
}

#[test]
fn on_a_wide_screen_the_contents_stay_beside_the_text_and_mark_the_section_being_read() {
    let www = build_site(&repository_root(), "wide");
    let server = Server::start(www);
    let browser = browser::browser();
    let tab = browser.new_tab().unwrap();
    let page = format!(
        "{}problems/formalistic-implementation.html",
        server.base_url
    );

    set_viewport(&tab, 1280, 900);
    open(&tab, &page);
    // Two columns: the table of contents to the right of the text, open, and sticky.
    let layout = eval(
        &tab,
        "(() => { const text = document.querySelector('.content').getBoundingClientRect(); \
         const toc = document.querySelector('nav.toc'); const box = toc.getBoundingClientRect(); \
         return [box.left >= text.right, getComputedStyle(toc).position, \
                 document.querySelector('details[data-toc]').open]; })()",
    );
    assert_eq!(layout, serde_json::json!([true, "sticky", true]));
    // The navigation marks the section the page belongs to.
    let current = eval(
        &tab,
        "Array.from(document.querySelectorAll('.site-nav a[aria-current]')).map(a => a.textContent)",
    );
    assert_eq!(current, serde_json::json!(["问题类别"]));
    // Reading a section marks it in the table of contents, and the box stays on screen.
    eval(&tab, "document.getElementById('危害').scrollIntoView()");
    wait_for(
        &tab,
        "document.querySelector('.toc a[aria-current]') && \
         document.querySelector('.toc a[aria-current]').textContent === '危害'",
    );
    let toc_top = eval(
        &tab,
        "document.querySelector('nav.toc').getBoundingClientRect().top",
    );
    assert!(toc_top.as_f64().unwrap() >= 0.0, "sticky: {toc_top}");
    // Back to the top, from anywhere.
    let back = eval(
        &tab,
        "(() => { const a = document.querySelector('a.back-to-top'); \
         return [a.getAttribute('href'), !!document.getElementById('top')]; })()",
    );
    assert_eq!(back, serde_json::json!(["#top", true]));

    // On a phone the contents come first, closed, above the text.
    set_viewport(&tab, 375, 740);
    open(&tab, &page);
    assert_eq!(
        eval(&tab, "document.querySelector('details[data-toc]').open"),
        false
    );
}
