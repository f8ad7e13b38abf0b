//! Courses as a trainer uses them: the course page, the printable handout (and its PDF),
//! the presentation, and the whole-site print page.

mod browser;
mod common;

use std::path::Path;
use std::process::Command;

use common::Fixture;

fn course_site() -> Fixture {
    let f = Fixture::with("course");
    f.build().expect("the course fixture builds");
    f
}

#[test]
fn the_course_page_shows_objectives_time_plan_units_questions_and_sources() {
    let f = course_site();
    let html = f.read("courses/intro.html");
    for expected in [
        "<h1>入门课程</h1>",
        "<li>分清主体责任</li>",
        "第一单元：主体责任",
        "<td>45</td>",
        "合计</th><td>90</td>",
        "本单位班子如何分工？",
        "先讲清主体责任由谁承担。",
        "href=\"../courses/intro/handout.html\"",
        "href=\"../courses/intro/slides.html\"",
        "某文献",
    ] {
        assert!(html.contains(expected), "missing {expected:?}");
    }
}

#[test]
fn pages_list_the_courses_that_use_them() {
    let f = course_site();
    let page = f.read("problems/formalism.html");
    assert!(
        page.contains("用到本页的课程"),
        "no course back-link section"
    );
    assert!(page.contains("href=\"../courses/intro.html\""));
}

#[test]
fn a_time_plan_that_does_not_add_up_is_a_warning() {
    let f = Fixture::with("course");
    let path = "content/courses/intro.md";
    let text = std::fs::read_to_string(f.root.join(path)).unwrap();
    f.write(path, &text.replace("duration: 2", "duration: 3"));
    let report = f.check().unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["warning: content/courses/intro.md:5:11: the units plan 90 minutes, but 3 学时 are 135 minutes\n  hint: change the units' `minutes` or the `duration` (one 学时 is 45 minutes; `period_minutes` in site.yaml)"]
    );
}

#[test]
fn the_handout_holds_every_unit_page_with_links_inside_it() {
    let f = course_site();
    let html = f.read("courses/intro/handout.html");
    // Each unit, then its pages, headings moved under the unit.
    let order = [
        "第一单元：主体责任",
        "主体责任",
        "问责力度不足",
        "第二单元：形式主义",
        "工作推进形式化",
        "责任清单",
    ];
    let mut at = 0;
    for title in order {
        at = html[at..]
            .find(title)
            .map(|i| at + i)
            .unwrap_or_else(|| panic!("{title} missing or out of order"));
    }
    assert!(html.contains("<h4 id=\"p"), "page headings are not demoted");
    // formalism.md links to 问责不力.md#危害, which is in the handout: the link stays inside.
    let inside = html.contains("href=\"#p") && !html.contains("href=\"../../problems/%E9%97%AE");
    assert!(inside, "a link to a page of the handout leaves it");
    // No navigation, search box or back-links.
    for absent in ["site-nav", "search-input", "backlinks", "prev-next"] {
        assert!(!html.contains(absent), "{absent} in the handout");
    }
}

#[test]
fn the_whole_site_print_page_has_every_page_in_reading_order() {
    let f = course_site();
    let html = f.read("print.html");
    for title in [
        "主体责任",
        "工作推进形式化",
        "问责力度不足",
        "责任清单",
        "某地做法",
        "某文献",
        "关于",
        "入门课程",
    ] {
        assert!(
            html.contains(&format!("<h3>{title}</h3>")),
            "{title} missing"
        );
    }
}

#[test]
fn pdf_without_a_browser_says_so_in_one_line() {
    let f = course_site();
    let run = Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(["pdf", "--browser", "/nonexistent"])
        .current_dir(&f.root)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        stderr.trim(),
        "error: the browser /nonexistent does not exist or cannot be run"
    );
}

/// The text of one page of a PDF (pdftotext, from poppler-utils).
fn pdf_page_text(pdf: &Path, page: usize) -> String {
    let output = Command::new("pdftotext")
        .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn pdf_pages(pdf: &Path) -> usize {
    let output = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// Checks a printed handout: each unit title and page starts a sheet, every sheet but the
/// cover has its number, and nothing of the screen toolbar is printed.
fn check_printed_handout(pdf: &Path) {
    let pages = pdf_pages(pdf);
    assert!(pages >= 5, "{pages} pages");
    let texts: Vec<String> = (1..=pages).map(|p| pdf_page_text(pdf, p)).collect();
    for title in [
        "入门课程",
        "目录",
        "主体责任",
        "问责力度不足",
        "工作推进形式化",
        "责任清单",
    ] {
        let starts = texts.iter().any(|t| {
            t.lines()
                .filter(|l| !l.trim().is_empty())
                .take(4)
                .any(|l| l.trim() == title || l.trim().ends_with(title))
        });
        assert!(starts, "no sheet starts with {title}");
    }
    let squeezed: String = texts[1].chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        squeezed.contains(&format!("2/{pages}")),
        "no page number on sheet 2:\n{}",
        texts[1]
    );
    let all = texts.join("\n");
    assert!(
        !all.contains("返回课程") && !all.contains("另存为"),
        "the toolbar was printed"
    );
    for unit in ["第一单元：主体责任", "第二单元：形式主义"] {
        assert!(all.contains(unit), "{unit} missing");
    }
}

#[test]
fn policykb_pdf_prints_every_handout_from_file_urls() {
    let f = Fixture::with("course");
    let run = Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(["pdf", "--browser", "/usr/bin/chromium"])
        .current_dir(&f.root)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    check_printed_handout(&f.output().join("courses/intro/handout.pdf"));
    assert!(f.output().join("print.pdf").is_file());
    // The PDFs are the site's own files: listed in its manifest.
    let manifest = std::fs::read_to_string(f.output().join(".policykb-output")).unwrap();
    assert!(manifest.contains("  courses/intro/handout.pdf\n"));
}

#[test]
fn the_handout_prints_over_http_under_a_sub_path() {
    let f = Fixture::with("course");
    let www = browser::build_site(&f.root, "course-http");
    let server = browser::Server::start(www);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    browser::open(
        &tab,
        &format!("{}courses/intro/handout.html", server.base_url),
    );
    // Every link inside the handout resolves inside it.
    let broken = browser::eval(
        &tab,
        "Array.from(document.querySelectorAll('a[href^=\"#\"]')).filter(a => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)))).map(a => a.getAttribute('href'))",
    );
    assert_eq!(broken, serde_json::json!([]));
    let pdf = tab
        .print_to_pdf(Some(headless_chrome::types::PrintToPdfOptions {
            prefer_css_page_size: Some(true),
            print_background: Some(true),
            ..Default::default()
        }))
        .unwrap();
    let file = f.root.join("http-handout.pdf");
    std::fs::write(&file, pdf).unwrap();
    check_printed_handout(&file);
    assert!(server.missing().is_empty(), "{:?}", server.missing());
}

#[test]
fn the_presentation_moves_with_the_keyboard() {
    let f = Fixture::with("course");
    let www = browser::build_site(&f.root, "course-slides");
    let base = browser::file_url(&browser::site_folder(&www)) + "/";
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    browser::open(&tab, &format!("{base}courses/intro/slides.html"));
    let visible = "Array.from(document.querySelectorAll('.slide')).findIndex(s => !s.hidden)";
    assert_eq!(browser::eval(&tab, visible), 0);
    tab.press_key("ArrowRight").unwrap();
    assert_eq!(browser::eval(&tab, visible), 1);
    assert_eq!(
        browser::eval(
            &tab,
            "document.querySelector('.slide:not([hidden]) h2').textContent"
        ),
        "第一单元：主体责任"
    );
    tab.press_key("PageDown").unwrap();
    assert_eq!(browser::eval(&tab, visible), 2);
    tab.press_key("PageDown").unwrap();
    assert_eq!(browser::eval(&tab, visible), 2, "moved past the last slide");
    tab.press_key("ArrowLeft").unwrap();
    assert_eq!(browser::eval(&tab, visible), 1);
    tab.press_key("Escape").unwrap();
    browser::wait_for(&tab, "location.pathname.endsWith('courses/intro.html')");
}
