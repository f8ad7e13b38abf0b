//! Self-study in a real browser: progress kept and shown, export and import, self-check
//! lists, self-test questions, and the glossary that links itself; over HTTP under a
//! sub-path and from `file://`.

mod browser;
mod common;

use browser::{eval, eval_async, open, wait_for, Server};
use common::Fixture;
use headless_chrome::Tab;

fn study_site() -> (Fixture, std::path::PathBuf) {
    let f = Fixture::with("study");
    let www = browser::build_site(&f.root, "study");
    (f, www)
}

/// Marks 工作推进形式化 done and checks every place that shows progress.
fn check_progress(tab: &Tab, base: &str) {
    // Before anything is read, the home page counts the pages from meta.js alone: the
    // names chunks (every page's URL) are a large site's biggest search files.
    open(tab, &format!("{base}index.html"));
    wait_for(
        tab,
        "document.querySelector('[data-progress-all]').textContent.includes('已学 0')",
    );
    assert_eq!(
        eval(
            tab,
            "PolicykbIndex.loaded().filter(n => n.startsWith('n-')).length"
        ),
        0,
        "names chunks loaded on the home page of a reader who has read nothing"
    );
    open(tab, &format!("{base}problems/formalism.html"));
    tab.wait_for_element("[data-study-done]")
        .unwrap()
        .click()
        .unwrap();
    assert_eq!(
        eval(
            tab,
            "document.querySelector('[data-study-done]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    // The kind index, the level page and a guide linking it show it studied.
    for (page, progress) in [
        ("problems/index.html", "已学 1 / 2"),
        ("levels/implementation.html", "已学 1 / 1"),
    ] {
        open(tab, &format!("{base}{page}"));
        let shown = eval(
            tab,
            "document.querySelector('.study-progress').textContent.trim()",
        );
        assert_eq!(shown, progress, "{page}");
        let marked = eval(tab, "Array.from(document.querySelectorAll('main a.studied')).map(a => a.getAttribute('href'))");
        assert_eq!(
            marked,
            serde_json::json!(["../problems/formalism.html"]),
            "{page}"
        );
    }
    // The home page shows overall progress and where to continue.
    open(tab, &format!("{base}index.html"));
    wait_for(tab, "!document.querySelector('[data-study-continue]').hidden && document.querySelector('[data-progress-all]').textContent.includes('已学 1')");
    // Which pages read still exist comes from urls.js, the urls hashed: still no names.
    assert_eq!(
        eval(
            tab,
            "[PolicykbIndex.loaded().filter(n => n.startsWith('n-')).length, PolicykbIndex.loaded().includes('urls')]"
        ),
        serde_json::json!([0, true]),
        "index files loaded on the home page of a reader who has read a page"
    );
    // The pages of a record are found by url, a removed page's url finds nothing.
    assert_eq!(
        eval_async(
            tab,
            "PolicykbIndex.pagesAt(['problems/formalism.html', 'problems/removed-long-ago.html']).then(found => Array.from(found.values(), d => [d.url, d.title]))"
        ),
        serde_json::json!([["problems/formalism.html", "工作推进形式化"]])
    );
    let continuing = eval(
        tab,
        "document.querySelector('[data-continue-links] a').getAttribute('href')",
    );
    assert_eq!(
        continuing, "problems/formalism.html",
        "the last page opened"
    );
    // A reload keeps it.
    open(tab, &format!("{base}problems/index.html"));
    assert_eq!(
        eval(tab, "document.querySelectorAll('main a.studied').length"),
        1
    );
}

/// 我的学习: export, clear, import; an imported record naming a page that no longer exists
/// is taken without error, that entry dropped.
fn check_export_clear_import(tab: &Tab, base: &str, folder: &std::path::Path) {
    open(tab, &format!("{base}mine.html"));
    wait_for(tab, "document.querySelector('[data-study-list=done] a')");
    // Catch the exported file as the button makes it.
    let exported = browser::eval_async(
        tab,
        "new Promise(resolve => { const make = URL.createObjectURL; URL.createObjectURL = blob => { blob.text().then(resolve); return make(blob); }; document.querySelector('[data-study-export]').click(); })",
    );
    let mut record: serde_json::Value = serde_json::from_str(exported.as_str().unwrap()).unwrap();
    assert!(
        record["done"]["problems/formalism.html"].is_number(),
        "{record}"
    );
    // The file also names a page that a rebuilt site no longer has.
    record["done"]["problems/removed-long-ago.html"] = serde_json::json!(1);
    let file = folder.join("学习记录.json");
    std::fs::write(&file, record.to_string()).unwrap();

    tab.evaluate("window.confirm = () => true", false).unwrap();
    tab.wait_for_element("[data-study-clear]")
        .unwrap()
        .click()
        .unwrap();
    wait_for(
        tab,
        "document.querySelector('[data-study-message]').textContent === '已清除。'",
    );
    assert_eq!(
        eval(
            tab,
            "document.querySelectorAll('[data-study-list=done] a').length"
        ),
        0
    );

    tab.wait_for_element("[data-study-import]")
        .unwrap()
        .set_input_files(&[file.to_str().unwrap()])
        .unwrap();
    wait_for(
        tab,
        "document.querySelector('[data-study-message]').textContent.startsWith('已导入')",
    );
    let message = eval(
        tab,
        "document.querySelector('[data-study-message]').textContent",
    );
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("1 条记录对应的页面已不存在"),
        "{message}"
    );
    assert_eq!(
        eval(
            tab,
            "Array.from(document.querySelectorAll('[data-study-list=done] a'), a => a.textContent)"
        ),
        serde_json::json!(["工作推进形式化"])
    );
    assert_eq!(
        eval(tab, "Object.keys(PolicykbStudy.read().done)"),
        serde_json::json!(["problems/formalism.html"])
    );
}

fn check_checklist_and_quiz(tab: &Tab, base: &str) {
    let url = format!("{base}problems/formalism.html");
    open(tab, &url);
    tab.wait_for_element("input[data-check]")
        .unwrap()
        .click()
        .unwrap();
    open(tab, &url);
    assert_eq!(
        eval(tab, "document.querySelector('input[data-check]').checked"),
        true,
        "a tick was lost on reload"
    );
    // A wrong answer, then the right one: each is scored and explained.
    eval(tab, "(() => { document.querySelector('[data-quiz] input[value=A]').click(); document.querySelector('[data-quiz] .quiz-check').click(); return true; })()");
    assert_eq!(
        eval(
            tab,
            "document.querySelector('[data-quiz] .quiz-verdict').textContent"
        ),
        "回答不正确。"
    );
    assert_eq!(
        eval(
            tab,
            "document.querySelector('[data-quiz] .quiz-explanation').offsetParent !== null"
        ),
        true
    );
    eval(tab, "(() => { document.querySelector('[data-quiz] input[value=B]').click(); document.querySelector('[data-quiz] .quiz-check').click(); return true; })()");
    assert_eq!(
        eval(
            tab,
            "document.querySelector('[data-quiz] .quiz-verdict').textContent"
        ),
        "回答正确。"
    );
    // The level's self-test page counts the answers kept.
    open(tab, &format!("{base}levels/implementation-quiz.html"));
    assert_eq!(
        eval(
            tab,
            "document.querySelector('[data-quiz-score]').textContent"
        ),
        "已答 1 / 2 题，答对 1 题。"
    );
}

/// A glossary link shows its card (the target's title and summary) once pointed at: the
/// card comes from the shared card files, not from the page.
fn check_glossary_card(tab: &Tab, base: &str) {
    open(tab, &format!("{base}pages/about.html"));
    let term = "document.querySelector('main a.term')";
    assert_eq!(
        eval(tab, &format!("{term}.hasAttribute('data-card')")),
        false,
        "the card is in the page"
    );
    eval(tab, &format!("{term}.focus()"));
    wait_for(tab, &format!("{term}.hasAttribute('data-card')"));
    assert_eq!(
        eval(tab, &format!("{term}.getAttribute('data-card')")),
        "主体责任：党委的责任。"
    );
    let shown = eval(
        tab,
        &format!("getComputedStyle({term}, '::after').getPropertyValue('content')"),
    );
    assert_eq!(shown, "\"主体责任：党委的责任。\"", "the card is not shown");
    // A tag's card, in the same files.
    let tag = "document.querySelector('main a.term[href=\"../tags/formalism.html\"]')";
    eval(
        tab,
        &format!("{tag}.dispatchEvent(new MouseEvent('mouseover', {{bubbles: true}}))"),
    );
    wait_for(tab, &format!("{tag}.hasAttribute('data-card')"));
    assert_eq!(
        eval(tab, &format!("{tag}.getAttribute('data-card')")),
        "标签：形式主义"
    );
    // A page of an older build numbers its cards otherwise: a card that leads elsewhere than
    // the link is not shown.
    let other = eval(tab, &format!("{tag}.getAttribute('data-term')"));
    let other = other.as_str().unwrap();
    eval(
        tab,
        &format!(
            "(() => {{ const a = document.createElement('a'); a.className = 'term'; \
             a.id = 'stale'; a.href = '../responsibilities/principal.html'; \
             a.setAttribute('data-term', '{other}'); a.textContent = '主体责任'; \
             document.querySelector('main').appendChild(a); a.focus(); return true; }})()"
        ),
    );
    let stale = eval_async(
        tab,
        &format!(
            "PolicykbIndex.loadCard({other}).then(() => new Promise(r => setTimeout(r, 0))) \
             .then(() => document.getElementById('stale').hasAttribute('data-card'))"
        ),
    );
    assert_eq!(stale, false, "another term's card was shown");
}

#[test]
fn self_study_over_http_under_a_sub_path() {
    let (f, www) = study_site();
    let server = Server::start(www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    check_progress(&tab, &server.base_url);
    check_export_clear_import(&tab, &server.base_url, &f.root);
    check_checklist_and_quiz(&tab, &server.base_url);
    check_glossary_card(&tab, &server.base_url);
    assert!(server.missing().is_empty(), "{:?}", server.missing());
}

#[test]
fn self_study_from_file_urls() {
    let (f, www) = study_site();
    let base = browser::file_url(&browser::site_folder(&www)) + "/";
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    check_progress(&tab, &base);
    check_export_clear_import(&tab, &base, &f.root);
    check_checklist_and_quiz(&tab, &base);
    check_glossary_card(&tab, &base);
}

#[test]
fn the_glossary_links_the_first_mention_only_and_obeys_autolink_false() {
    let f = Fixture::with("study");
    f.build().unwrap();
    let about = f.read("pages/about.html");
    let links = about
        .matches("class=\"term\" href=\"../responsibilities/principal.html\"")
        .count();
    assert_eq!(links, 1, "{about}");
    // The first mention in running text, not the heading, and not the existing link.
    let body = about.split("本站讲").nth(1).unwrap();
    assert!(body.starts_with("<a class=\"term\""), "{body}");
    assert!(
        about.contains("<h2 id=\"主体责任\">主体责任<a"),
        "the heading was linked"
    );
    assert!(
        about.contains(
            "class=\"term\" href=\"../problems/%E9%97%AE%E8%B4%A3%E4%B8%8D%E5%8A%9B.html\""
        ) || about.contains("class=\"term\" href=\"../problems/问责不力.html\"")
    );
    let quiet = f.read("pages/quiet.html");
    assert!(
        !quiet.contains("class=\"term\""),
        "autolink: false was ignored"
    );
    // The glossary page lists the terms with their definitions.
    let terms = f.read("terms.html");
    assert!(terms.contains("主体责任") && terms.contains("党委的责任。"));
}
