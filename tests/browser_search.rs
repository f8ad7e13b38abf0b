//! Chinese full-text search in a real headless Chromium, against the built bundled site over
//! HTTP under a sub-path and from `file://`, plus a small fixture for escaping and mixed text.

mod browser;
mod common;

use std::path::Path;

use browser::{eval, eval_async, open, results, wait_for, Server};
use headless_chrome::Tab;

/// Queries a reader would type, and the page that must come first.
const QUERIES: &[(&str, &str)] = &[
    ("表率作用不足", "problems/leaders-not-exemplary.html"),
    ("一岗双责", "responsibilities/dual-duty.html"),
    ("问责力度不足", "problems/insufficient-accountability.html"),
    ("以上率下带动", "problems/weak-leading-by-example.html"),
    // An exact alias: the countermeasure is the one called 以上率下.
    ("以上率下", "countermeasures/leaders-set-example.html"),
    ("谈心谈话", "countermeasures/talks-and-reminders.html"),
    ("容错纠错", "countermeasures/fault-tolerance.html"),
    ("警示教育", "countermeasures/warning-education.html"),
    ("压力传导", "problems/diminishing-pressure.html"),
    ("制度形同虚设", "problems/hollow-institutions.html"),
    ("思想认识错位", "problems/misplaced-understanding.html"),
    ("双清单双交办", "cases/anyang-dual-lists.html"),
    ("上热中温下冷", "problems/diminishing-pressure.html"),
    ("稻草人", "problems/hollow-institutions.html"),
    ("甩手掌柜", "problems/weak-principal-awareness.html"),
];

fn repository_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn search_url(base: &str, query: &str) -> String {
    let encoded: String = query
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{base}search.html?q={encoded}")
}

fn check_queries(tab: &Tab, base: &str) {
    let mut wrong = Vec::new();
    for (query, expected) in QUERIES {
        open(tab, &search_url(base, query));
        let found = results(tab);
        if found.first().map(String::as_str) != Some(expected) {
            wrong.push(format!(
                "{query}: expected {expected} first, got {:?}",
                found.iter().take(3).collect::<Vec<_>>()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn check_phrases_words_and_no_results(tab: &Tab, base: &str) {
    // A quoted phrase matches as a phrase: every result contains it literally.
    open(tab, &search_url(base, "\"以会议落实会议\""));
    let found = results(tab);
    assert_eq!(
        found.first().map(String::as_str),
        Some("problems/formalistic-implementation.html"),
        "{found:?}"
    );
    let all_contain = eval_async(
        tab,
        "PolicykbSearch.query('\"以会议落实会议\"')\
            .then(f => f.results.filter(r => r.full).every(r => r.doc.haystack.includes('以会议落实会议')))",
    );
    assert_eq!(all_contain, true);
    // The bigrams of 会议落实 appear in many pages; the phrase is rarer than its words.
    let count = |q: &str| {
        let query = serde_json::to_string(q).unwrap();
        let js = format!(
            "PolicykbSearch.query({query}).then(f => f.results.filter(r => r.full).length)"
        );
        eval_async(tab, &js).as_u64().unwrap()
    };
    let phrase = count("\"落实会议\"");
    let words = count("落实 会议");
    assert!(
        phrase >= 1 && phrase < words,
        "phrase {phrase}, words {words}"
    );

    // Several words: all must match, in every full match.
    let both = eval_async(
        tab,
        "PolicykbSearch.query('容错 问责')\
            .then(f => PolicykbSearch.withText(f.results.filter(r => r.full).map(r => r.doc)))\
            .then(docs => docs.length > 0 && docs.every(d => d.haystack.includes('容错') && d.haystack.includes('问责')))",
    );
    assert_eq!(both, true);
    assert!(count("容错 南京") < count("容错"));

    // Digits and Han mixed; a single character falls back to a literal scan.
    open(tab, &search_url(base, "2025年1—9月"));
    assert!(results(tab)
        .iter()
        .any(|u| u == "cases/nanjing-accountability.html"));
    assert!(count("廉") > 0);

    // No result: says so and suggests nearby tags.
    open(tab, &search_url(base, "量子问题"));
    assert!(results(tab).is_empty());
    let status = eval(tab, "document.getElementById('search-status').innerHTML");
    let status = status.as_str().unwrap();
    assert!(status.contains("没有找到"), "{status}");
    assert!(status.contains("tags/"), "no tag suggested: {status}");
}

fn check_filters(tab: &Tab, base: &str) {
    open(tab, &format!("{}&kind=case", search_url(base, "问责")));
    let found = results(tab);
    assert!(!found.is_empty());
    assert!(found.iter().all(|u| u.starts_with("cases/")), "{found:?}");
    open(
        tab,
        &format!("{}&level=accountability", search_url(base, "问责")),
    );
    let found = results(tab);
    assert_eq!(found.len(), 2, "{found:?}");
    // Changing a filter select re-runs the search.
    open(tab, &search_url(base, "问责"));
    let unfiltered = results(tab).len();
    eval(tab, "(() => { const s = document.getElementById('filter-tag'); s.value = 'fault-tolerance'; s.dispatchEvent(new Event('change')); return true; })()");
    let filtered: Vec<String> = serde_json::from_value(eval(
        tab,
        "Array.from(document.querySelectorAll('#search-results a'), a => a.getAttribute('href'))",
    ))
    .unwrap();
    assert!(
        !filtered.is_empty() && filtered.len() < unfiltered,
        "{} → {}",
        unfiltered,
        filtered.len()
    );
    let tagged = eval_async(tab, "PolicykbSearch.query('问责', {tag: 'fault-tolerance'}).then(f => f.results.length > 0 && f.results.every(r => r.doc.tags.includes('fault-tolerance')))");
    assert_eq!(tagged, true);
}

fn check_type_ahead_and_keyboard(tab: &Tab, base: &str) {
    open(tab, &format!("{base}index.html"));
    tab.press_key("/").unwrap();
    assert_eq!(eval(tab, "document.activeElement.id"), "search-input");
    tab.type_str("一岗双责").unwrap();
    wait_for(
        tab,
        "document.querySelectorAll('#search-dropdown li a').length",
    );
    let first = eval(
        tab,
        "document.querySelector('#search-dropdown li a').getAttribute('href').split('?')[0]",
    );
    assert_eq!(first, "responsibilities/dual-duty.html");
    // A combobox: the input controls a listbox and names the active option.
    assert_eq!(
        eval(
            tab,
            "document.getElementById('search-input').getAttribute('aria-expanded')"
        ),
        "true"
    );
    assert_eq!(
        eval(
            tab,
            "document.querySelectorAll('#search-dropdown [role=listbox] [role=option]').length > 0"
        ),
        true
    );
    let highlighted = eval(
        tab,
        "document.querySelector('#search-dropdown mark').textContent",
    );
    assert_eq!(highlighted, "一岗双责");
    tab.press_key("ArrowDown").unwrap();
    assert_eq!(
        eval(
            tab,
            "document.getElementById('search-input').getAttribute('aria-activedescendant')"
        ),
        "search-option-0"
    );
    assert_eq!(
        eval(
            tab,
            "document.getElementById('search-option-0').getAttribute('aria-selected')"
        ),
        "true"
    );
    tab.press_key("Enter").unwrap();
    wait_for(tab, "location.pathname.endsWith('responsibilities/dual-duty.html') && document.readyState === 'complete'");
    // The page opens with the words searched for marked.
    wait_for(
        tab,
        "document.querySelectorAll('article .content mark.search-hit').length > 0",
    );
}

/// Queries as readers type them: questions, other words, traditional characters, pinyin,
/// a wrong character; and the page that must be among the first three.
const READER_QUERIES: &[(&str, &str)] = &[
    // A question around a term.
    ("什么叫一岗双责", "responsibilities/dual-duty.html"),
    (
        "如何做好谈心谈话",
        "countermeasures/talks-and-reminders.html",
    ),
    (
        "基层党建为什么弱化",
        "problems/weak-grassroots-party-building.html",
    ),
    ("班子成员的责任是什么", "responsibilities/dual-duty.html"),
    // The same idea in other words (title and alias characters).
    ("上头热底下冷", "problems/diminishing-pressure.html"),
    // Traditional characters.
    ("監督責任", "responsibilities/supervisory.html"),
    ("壓力傳導", "problems/diminishing-pressure.html"),
    // Pinyin, full or initials.
    ("yigang shuangze", "responsibilities/dual-duty.html"),
    ("ygsz", "responsibilities/dual-duty.html"),
    ("rongcuo jiucuo", "countermeasures/fault-tolerance.html"),
    // One wrong character, as an input method picks it.
    ("一岗双则", "responsibilities/dual-duty.html"),
    ("容错究错", "countermeasures/fault-tolerance.html"),
];

fn check_how_readers_type(tab: &Tab, base: &str) {
    let mut wrong = Vec::new();
    for (query, expected) in READER_QUERIES {
        open(tab, &search_url(base, query));
        let found = results(tab);
        if !found.iter().take(3).any(|u| u == expected) {
            wrong.push(format!(
                "{query}: expected {expected} in the top 3, got {:?}",
                &found[..found.len().min(3)]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // A wrong character: the page says what it searched for instead, one click away.
    open(tab, &search_url(base, "一岗双则"));
    results(tab);
    let suggestion = eval(
        tab,
        "document.querySelector('#search-suggestion a')?.textContent || ''",
    );
    assert_eq!(suggestion, "一岗双责");

    // A question frame alone ranks nothing: no page is first because it says 什么是.
    let frame = eval_async(
        tab,
        "PolicykbSearch.query('什么是').then(f => f.results.length + f.clauses.length)",
    );
    assert_eq!(frame, 0);
    let framed = eval_async(
        tab,
        "PolicykbSearch.query('什么是稻草人').then(f => f.results[0].doc.url)",
    );
    let plain = eval_async(
        tab,
        "PolicykbSearch.query('稻草人').then(f => f.results[0].doc.url)",
    );
    assert_eq!(framed, plain);

    // Partial matches come after the full ones, labelled.
    open(tab, &search_url(base, "怎样落实监管责任"));
    assert_eq!(
        results(tab).first().map(String::as_str),
        Some("responsibilities/regulatory.html")
    );
    assert_eq!(
        eval(
            tab,
            "document.querySelector('#search-results .match-partial') !== null"
        ),
        true
    );

    // A tag whose name matches is a result of its own.
    open(tab, &search_url(base, "形式主义"));
    results(tab);
    assert_eq!(
        eval(
            tab,
            "document.querySelector('#search-results .tag-item a').getAttribute('href')"
        ),
        "tags/formalism.html"
    );

    // One search box on the search page.
    assert_eq!(
        eval(
            tab,
            "document.querySelectorAll('input[type=search]').length"
        ),
        1
    );
}

fn check_landing_on_the_answer(tab: &Tab, base: &str) {
    open(tab, &search_url(base, "稻草人"));
    let href = eval(
        tab,
        "document.querySelector('#search-results li:not(.tag-item) a').getAttribute('href')",
    );
    let href = href.as_str().unwrap().to_string();
    assert!(href.contains("?highlight=") && href.contains('#'), "{href}");
    tab.wait_for_element("#search-results li:not(.tag-item) a")
        .unwrap()
        .click()
        .unwrap();
    wait_for(tab, "document.readyState === 'complete' && document.querySelectorAll('mark.search-hit').length > 0");
    // The section of the match is open, and the match is on the screen.
    let marked = eval(tab, "(() => { const m = document.querySelector('mark.search-hit'); const r = m.getBoundingClientRect(); return m.textContent === '稻草人' && r.top >= 0 && r.bottom <= innerHeight; })()");
    assert_eq!(marked, true);
    let section = eval(tab, "decodeURIComponent(location.hash.slice(1))");
    let heading = eval(tab, "(() => { const m = document.querySelector('mark.search-hit'); let n = m; while (n && !/^H[23]$/.test(n.tagName)) { n = n.previousElementSibling || n.parentElement; } return n ? n.id : ''; })()");
    assert_eq!(section, heading, "landed on the wrong section");
}

#[test]
fn search_over_http_under_a_sub_path() {
    let www = browser::build_site(repository_root(), "search-http");
    let server = Server::start(www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    check_queries(&tab, &server.base_url);
    check_phrases_words_and_no_results(&tab, &server.base_url);
    check_filters(&tab, &server.base_url);
    check_type_ahead_and_keyboard(&tab, &server.base_url);
    check_how_readers_type(&tab, &server.base_url);
    check_landing_on_the_answer(&tab, &server.base_url);
    // Typing on the search page puts the query in the address, so it can be linked.
    open(&tab, &format!("{}search.html", server.base_url));
    results(&tab);
    tab.wait_for_element("#search-page-input")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str("稻草人").unwrap();
    wait_for(
        &tab,
        "location.search.includes('q=%E7%A8%BB%E8%8D%89%E4%BA%BA')",
    );
    assert!(server.missing().is_empty(), "{:?}", server.missing());
}

#[test]
fn search_from_file_urls() {
    let www = browser::build_site(repository_root(), "search-file");
    let base = browser::file_url(&browser::site_folder(&www)) + "/";
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    check_queries(&tab, &base);
    check_phrases_words_and_no_results(&tab, &base);
    check_filters(&tab, &base);
    check_type_ahead_and_keyboard(&tab, &base);
    check_how_readers_type(&tab, &base);
    check_landing_on_the_answer(&tab, &base);
}

#[test]
fn tokenizers_agree_and_results_are_escaped() {
    let f = common::Fixture::valid();
    f.write(
        "content/pages/escape.md",
        "---\ntitle: 转义 <b>测试</b>\n---\n\n页面正文写着 `<script>window.pwned = 1</script>` 和 <img src=x onerror=\"window.pwned=2\"> 以及 OA系统 升级。\n",
    );
    let www = browser::build_site(&f.root, "search-escape");
    let server = Server::start(www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();

    // The JavaScript tokenizer gives exactly what the Rust one does, on the shared fixture
    // (with the folding pairs of the site's index, for the traditional characters).
    open(&tab, &format!("{}index.html", server.base_url));
    eval_async(&tab, "PolicykbSearch.loadMeta().then(() => true)");
    let fixture = include_str!("fixtures/tokenizer.json");
    let cases: Vec<(String, Vec<String>)> = serde_json::from_str(fixture).unwrap();
    for (input, expected) in &cases {
        let expression = format!(
            "PolicykbTokenizer.tokenize({})",
            serde_json::to_string(input).unwrap()
        );
        let tokens: Vec<String> = serde_json::from_value(eval(&tab, &expression)).unwrap();
        assert_eq!(&tokens, expected, "JS tokenizer on {input:?}");
        assert_eq!(
            &policykb::search::tokenize(input),
            expected,
            "Rust tokenizer on {input:?}"
        );
    }
    // Folding a whole string at once gives what folding it a character (or, for
    // highlighting, a UTF-16 unit) at a time gives.
    let mut texts: Vec<&str> = cases.iter().map(|(input, _)| input.as_str()).collect();
    texts.extend([
        "ΟΔΟΣ",
        "İSTANBUL 問責",
        "𐐀𐐨 責任",
        "ＡＢＣ　ｄｅｆ",
        "ǅ ﬀ ẞ",
    ]);
    let agree = format!(
        "{}.every((s) => PolicykbTokenizer.normalise(s) === Array.from(s, PolicykbTokenizer.normaliseChar).join('') \
           && PolicykbTokenizer.foldUnits(s) === PolicykbTokenizer.foldEachUnit(s))",
        serde_json::to_string(&texts).unwrap()
    );
    assert_eq!(
        eval(&tab, &agree),
        true,
        "whole-string folding on {texts:?}"
    );
    // And puts every token in the same shard as the build does, for any shard count.
    for shards in [7, 256, 1 << 20] {
        for token in cases.iter().flat_map(|(_, tokens)| tokens) {
            let token_js = serde_json::to_string(token).unwrap();
            let js = eval(
                &tab,
                &format!("PolicykbSearch.shardOf({token_js}, {shards})"),
            );
            assert_eq!(
                js,
                policykb::search::shard_of(token, shards),
                "shard of {token:?}"
            );
        }
    }

    // Mixed script and full-width forms.
    for query in ["OA系统", "oa系统", "ＯＡ系统"] {
        open(&tab, &search_url(&server.base_url, query));
        assert_eq!(
            results(&tab).first().map(String::as_str),
            Some("pages/escape.html"),
            "{query}"
        );
    }

    // Markup in content and titles shows as text in results; nothing runs.
    for query in ["script", "onerror", "转义"] {
        open(&tab, &search_url(&server.base_url, query));
        assert_eq!(
            results(&tab).first().map(String::as_str),
            Some("pages/escape.html"),
            "{query}"
        );
        let injected = eval(&tab, "document.querySelectorAll('#search-results script, #search-results img, #search-results b').length");
        assert_eq!(injected, 0, "markup from content was injected for {query}");
        assert_eq!(eval(&tab, "window.pwned === undefined"), true);
    }
    open(&tab, &search_url(&server.base_url, "script"));
    results(&tab);
    let text = eval(
        &tab,
        "document.getElementById('search-results').textContent",
    );
    assert!(text.as_str().unwrap().contains("<script>"), "{text}");
    let title = eval(
        &tab,
        "document.querySelector('#search-results strong').textContent",
    );
    assert_eq!(title, "转义 <b>测试</b>");
}

/// The valid fixture with 600 more pages, `content/pages/p-NNN.md`, of the title and text
/// `page(n)` gives, built, served, and its home page open in Chromium.
fn six_hundred_pages(
    name: &str,
    page: impl Fn(usize) -> (String, &'static str),
) -> (Server, headless_chrome::Browser, std::sync::Arc<Tab>) {
    let f = common::Fixture::valid();
    for n in 0..600 {
        let (title, body) = page(n);
        f.write(
            &format!("content/pages/p-{n:03}.md"),
            &format!("---\ntitle: {title}\n---\n\n{body}\n"),
        );
    }
    let server = Server::start(browser::build_site(&f.root, name));
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    open(&tab, &format!("{}index.html", server.base_url));
    (server, chromium, tab)
}

/// A query of one character has no postings: it reads titles, aliases and tags of every
/// page, but the text of only a bounded number of chunks, and says the count is not final.
#[test]
fn one_character_reads_a_bounded_share_of_a_large_sites_text() {
    let (server, _chromium, tab) = six_hundred_pages("search-one-character", |n| match n {
        5 => ("第五页".to_string(), "正文里有一个鼋字。"),
        590 => ("第五百九十页".to_string(), "正文里也有一个鼋字。"),
        595 => ("鼋头渚".to_string(), "正文没有那个字。"),
        _ => (format!("第{n}页"), "普通的正文。"),
    });
    let found = eval_async(
        &tab,
        "PolicykbSearch.query('鼋', null, 50).then((f) => ({ urls: f.results.map((r) => r.doc.url), complete: f.complete, \
         chunks: PolicykbSearch.loaded().filter((n) => n.startsWith('t-')).length }))",
    );
    let urls: Vec<&str> = found["urls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u.as_str())
        .collect();
    // The title matches wherever the page is; the text is read for the first pages.
    assert!(urls.contains(&"pages/p-595.html"), "{found}");
    assert!(urls.contains(&"pages/p-005.html"), "{found}");
    assert_eq!(found["complete"], false, "{found}");
    let chunks = found["chunks"].as_u64().unwrap();
    assert!(
        (96..=100).contains(&chunks),
        "read the text of {chunks} chunks (96, and those of the results shown)"
    );
    // The search page says the count is a lower bound, and what to do.
    open(&tab, &search_url(&server.base_url, "鼋"));
    let shown = results(&tab);
    assert!(shown.contains(&"pages/p-595.html".to_string()), "{shown:?}");
    let status = eval(&tab, "document.getElementById('search-status').textContent");
    let status = status.as_str().unwrap();
    assert!(
        status.contains("至少 2 条") && status.contains("多输入一个字"),
        "{status}"
    );
    assert_eq!(
        eval(&tab, "document.getElementById('search-more').hidden"),
        true
    );
    // Two characters have postings: every page is found, and the count is final.
    let found = eval_async(
        &tab,
        "PolicykbSearch.query('鼋字', null, 50).then((f) => ({ urls: f.results.map((r) => r.doc.url), complete: f.complete }))",
    );
    assert_eq!(
        found["urls"],
        serde_json::json!(["pages/p-005.html", "pages/p-590.html"]),
        "{found}"
    );
    assert_eq!(found["complete"], true);
}

/// On a site where a common word is on every page, the first results are the best of all
/// of them (the ranking sorts only the head of a long candidate list, and reads the names
/// of its first only): the page titled the word itself, however late, then the 200 pages
/// with the word in their title, in page order.
#[test]
fn the_first_results_of_a_common_word_are_the_best_of_all_pages() {
    let (_server, _chromium, tab) = six_hundred_pages("search-common-word", |n| {
        let title = if n == 599 {
            "责任".to_string()
        } else if n % 3 == 0 {
            format!("第{n}页讲责任")
        } else {
            format!("第{n}页")
        };
        let body = if n % 5 == 0 {
            "这一页讲责任，再讲责任。"
        } else {
            "这一页讲责任。"
        };
        (title, body)
    });
    let found = eval_async(
        &tab,
        "PolicykbSearch.query('责任', null, 60).then((f) => f.results.map((r) => r.doc.url))",
    );
    let ours: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u.as_str())
        .filter(|u| u.starts_with("pages/"))
        .map(String::from)
        .take(20)
        .collect();
    let titled = (0..600).filter(|n| n % 3 == 0);
    let expected: Vec<String> = std::iter::once(599)
        .chain(titled)
        .take(20)
        .map(|n| format!("pages/p-{n:03}.html"))
        .collect();
    assert_eq!(ours, expected);
}
