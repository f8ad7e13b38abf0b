//! Building small fixture sites and checking what lands in the output folder.

mod common;

use std::fs;
use std::process::Command;

use common::Fixture;

#[test]
fn builds_every_kind_of_page_with_relative_links() {
    let f = Fixture::valid();
    let report = f.build().unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    for path in [
        "index.html",
        "search.html",
        "search/meta.js",
        "problems/index.html",
        "problems/formalism.html",
        "problems/问责不力.html",
        "levels/implementation.html",
        "tags/index.html",
        "tags/formalism.html",
        "cases/anyang.html",
        "sources/doc.html",
        "pages/about.html",
    ] {
        assert!(f.output().join(path).is_file(), "{path} missing");
    }
    // Assets and index files carry their content's hash in their names.
    for path in [
        "search/p-0.js",
        "search/t-0.js",
        "search/sounds.js",
        "search/s-zr.js",
        "static/style.css",
        "static/search-index.js",
        "static/search-query.js",
        "static/search-ui.js",
        "static/page.js",
    ] {
        common::hashed(&f.output(), path);
    }
    let style = common::hashed(&f.output(), "static/style.css");
    let page = f.read("problems/formalism.html");
    assert!(page.contains(&format!(r#"href="../{style}""#)), "{page}");
    assert!(
        page.contains(
            r#"href="../problems/%E9%97%AE%E8%B4%A3%E4%B8%8D%E5%8A%9B.html#%E5%8D%B1%E5%AE%B3""#
        ) || page.contains(r#"href="../problems/问责不力.html#"#),
        "@/ link not rewritten"
    );
    assert!(!page.contains("@/"), "an @/ link was left as written");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "absolute URL in output"
    );
}

#[test]
fn back_links_list_pages_that_only_the_other_side_names() {
    let f = Fixture::valid();
    f.build().unwrap();
    // Only the case names the problem; the problem page must still list the case.
    let problem = f.read("problems/问责不力.html");
    assert!(problem.contains("相关案例"), "{problem}");
    assert!(problem.contains("cases/anyang.html"));
    // Only the countermeasure names 问责不力 in `problems`; the problem lists it as a back-link.
    assert!(problem.contains("countermeasures/lists.html"));
}

#[test]
fn chinese_headings_get_anchors_and_a_table_of_contents() {
    let f = Fixture::valid();
    f.build().unwrap();
    let page = f.read("problems/formalism.html");
    assert!(page.contains(r#"<h2 id="表现">"#), "{page}");
    assert!(page.contains(r##"href="#表现""##));
}

#[test]
fn tag_pages_group_by_kind_and_the_tag_index_counts() {
    let f = Fixture::valid();
    f.build().unwrap();
    let tag = f.read("tags/accountability.html");
    assert!(tag.contains("责任类型") && tag.contains("问题"), "{tag}");
    assert!(tag.contains("../responsibilities/principal.html"));
    let all = f.read("tags/index.html");
    assert!(all.contains("问责 <span class=\"count\">2</span>"), "{all}");
}

#[test]
fn builds_are_byte_identical() {
    let f = Fixture::valid();
    let (first, second) = (f.root.join("out-1"), f.root.join("out-2"));
    f.build_into(&first).unwrap();
    f.build_into(&second).unwrap();
    assert!(common::tree(&first).len() > 20);
    common::assert_same_tree(&first, &second);
}

#[test]
fn a_failed_build_leaves_the_previous_site() {
    let f = Fixture::valid();
    f.build().unwrap();
    let before = f.read("problems/formalism.html");
    f.write(
        "content/problems/formalism.md",
        "---\ntitle: [unclosed\n---\n",
    );
    assert!(f.build().is_err());
    assert_eq!(f.read("problems/formalism.html"), before);
}

#[test]
fn a_build_failing_while_writing_leaves_the_previous_site_and_no_leftovers() {
    let f = Fixture::valid();
    f.build().unwrap();
    let before = f.read("tags/index.html");
    // Template errors surface while pages are being written into the staging folder.
    f.write(
        "templates/tags.html",
        "{% extends \"base.html\" %}{% block main %}{{ nope.x }}{% endblock main %}",
    );
    assert!(f.build().is_err());
    assert_eq!(f.read("tags/index.html"), before);
    assert!(
        !f.root.join(".public.policykb-new").exists(),
        "staging folder left behind"
    );
}

#[test]
fn refuses_to_write_over_root_content_or_foreign_folders() {
    let f = Fixture::valid();
    let foreign = f.root.join("notes");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "mine").unwrap();
    for output in [f.root.clone(), f.root.join("content"), foreign.clone()] {
        let failure = f.build_into(&output).expect_err("output accepted");
        let text = failure.diagnostics[0].to_string();
        assert!(text.contains("refusing"), "{text}");
    }
    assert_eq!(
        fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "mine"
    );
    assert!(f.root.join("content/site.yaml").is_file());
}

#[test]
fn knowledge_base_templates_override_the_theme() {
    let f = Fixture::valid();
    f.write("templates/tags.html", "{% extends \"base.html\" %}{% block main %}<p id=\"custom\">自定义 {{ site.tags | length }}</p>{% endblock main %}");
    f.build().unwrap();
    assert!(f
        .read("tags/index.html")
        .contains("<p id=\"custom\">自定义 2</p>"));
}

#[test]
fn a_template_error_names_the_template_and_line() {
    let f = Fixture::valid();
    f.write(
        "templates/tags.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ site.nope.deeper }}\n{% endblock main %}",
    );
    let errors = f.errors();
    assert!(errors.contains("templates/tags.html:3"), "{errors}");
}

#[test]
fn raw_html_in_content_is_escaped() {
    let f = Fixture::valid();
    f.write(
        "content/pages/about.md",
        "---\ntitle: 关于 <b>粗</b>\n---\n\n<script>alert(1)</script>\n",
    );
    f.build().unwrap();
    let page = f.read("pages/about.html");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("关于 &lt;b&gt;粗&lt;&#x2F;b&gt;")
            || page.contains("关于 &lt;b&gt;粗&lt;/b&gt;"),
        "{page}"
    );
}

#[test]
fn cli_init_creates_a_knowledge_base_that_builds_cleanly() {
    let dir = std::env::temp_dir().join(format!("policykb-init-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let bin = env!("CARGO_BIN_EXE_policykb");
    let init = Command::new(bin).arg("init").arg(&dir).output().unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let build = Command::new(bin)
        .arg("build")
        .arg("--root")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let summary = String::from_utf8_lossy(&build.stdout);
    assert!(
        summary.contains("1 问题") && summary.contains("0 warnings"),
        "{summary}"
    );
    assert!(dir.join("public/index.html").is_file());
    // init refuses a folder that is not empty.
    assert!(!Command::new(bin)
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap()
        .status
        .success());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn cli_check_lists_problems_and_exits_non_zero() {
    let f = Fixture::valid();
    f.write(
        "content/cases/bad.md",
        "---\ntitle: 坏\nsummary: x\nplace: 某地\ntgas: [x]\n---\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(["check", "--root"])
        .arg(&f.root)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("content/cases/bad.md:5"), "{stderr}");
    assert!(stderr.contains("build failed: 1 error"), "{stderr}");
    assert!(!f.output().exists(), "check wrote output");
}

#[test]
fn what_shows_where_is_one_relation_read_in_both_directions() {
    use policykb::render::jobs;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, site) = policykb::build_site(&policykb::BuildOptions {
        root: root.to_path_buf(),
        output: None,
        pdf_browser: None,
    })
    .unwrap();
    let all = jobs::all(&site);
    let mut pairs = 0;
    for job in &all {
        for page in job.shows(&site) {
            assert!(
                jobs::showing(&site, page).contains(job),
                "{job:?} shows {} but `showing` leaves it out",
                site.page(page).meta.title
            );
            pairs += 1;
        }
    }
    for page in 0..site.pages.len() {
        for job in jobs::showing(&site, page) {
            assert!(
                job.shows(&site).contains(&page),
                "`showing` lists {job:?} for {}, which does not show it",
                site.page(page).meta.title
            );
        }
    }
    assert!(pairs > 500, "only {pairs} (file, page) pairs");
}

#[test]
fn the_home_page_lists_the_first_of_many_and_links_to_all() {
    let f = Fixture::valid();
    for i in 0..30 {
        f.write(
            &format!("content/problems/p{i:02}.md"),
            &format!("---\ntitle: 第{i:02}号问题\nsummary: 摘要。\nlevel: implementation\nsources: [doc]\n---\n\n正文。\n"),
        );
        f.write(
            &format!("content/responsibilities/r{i:02}.md"),
            &format!(
                "---\ntitle: 第{i:02}号责任\nsummary: 摘要。\nsources: [doc]\n---\n\n正文。\n"
            ),
        );
    }
    f.build().unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let home = f.read("index.html");
    let problems_listed = (0..30)
        .filter(|i| home.contains(&format!("第{i:02}号问题")))
        .count();
    let responsibilities_listed = (0..30)
        .filter(|i| home.contains(&format!("第{i:02}号责任")))
        .count();
    // The level holds 31 problems (with the fixture's own); the home page shows 12 of them.
    assert!(
        problems_listed <= 12,
        "{problems_listed} problems on the home page"
    );
    assert!(
        home.contains(r#"<a href="levels/implementation.html">责任落实：全部 31 个问题</a>"#),
        "{home}"
    );
    // 31 responsibility types: the first 24 are listed, and the index lists them all.
    assert!(responsibilities_listed <= 24, "{responsibilities_listed}");
    assert!(
        home.contains(r#"<a href="responsibilities/index.html">全部 31 个"#),
        "{home}"
    );
    let index = f.read("responsibilities/index.html");
    assert!((0..30).all(|i| index.contains(&format!("第{i:02}号责任"))));
    let level = f.read("levels/implementation.html");
    assert!((0..30).all(|i| level.contains(&format!("第{i:02}号问题"))));
    // A site with few pages lists them all, without the links.
    let small = Fixture::valid();
    small.build().unwrap();
    assert!(!small.read("index.html").contains(r#"<p class="more">"#));
}
