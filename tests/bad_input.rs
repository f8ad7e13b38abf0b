//! One test per class of bad input: each must name the file and line and give a hint,
//! and all problems must be reported in one run.

mod common;

use common::Fixture;

#[test]
fn malformed_yaml_points_at_the_file_line() {
    let f = Fixture::valid();
    f.write(
        "content/problems/formalism.md",
        "---\ntitle: 工作推进形式化\nsummary: [unclosed\nlevel: cognition\n---\n\n正文\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/problems/formalism.md:"),
        "{errors}"
    );
    assert!(errors.contains("invalid front matter"), "{errors}");
    // Line numbers count from the top of the file (line 1 is `---`).
    let line: usize = errors
        .split("formalism.md:")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3..=5).contains(&line), "line {line}: {errors}");
}

#[test]
fn an_unknown_front_matter_key_is_an_error_with_a_suggestion() {
    let f = Fixture::valid();
    f.write("content/countermeasures/lists.md", "---\ntitle: 责任清单\nsummary: 列出责任。\ntgas: [formalism]\nproblems: [formalism]\nsources: [doc]\n---\n");
    let errors = f.errors();
    assert!(
        errors.contains("content/countermeasures/lists.md:4"),
        "{errors}"
    );
    assert!(errors.contains("did you mean `tags`"), "{errors}");
}

#[test]
fn a_key_of_another_kind_is_an_error() {
    let f = Fixture::valid();
    f.write("content/countermeasures/lists.md", "---\ntitle: 责任清单\nsummary: 列出责任。\nplace: 某地\nproblems: [formalism]\nsources: [doc]\n---\n");
    let errors = f.errors();
    assert!(
        errors.contains("content/countermeasures/lists.md:4")
            && errors.contains("`place` is not a field"),
        "{errors}"
    );
}

#[test]
fn a_missing_required_field_is_named() {
    let f = Fixture::valid();
    f.write(
        "content/cases/anyang.md",
        "---\ntitle: 某地做法\nsummary: 一个案例。\nproblems: [问责不力]\nsources: [doc]\n---\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/cases/anyang.md:2")
            && errors.contains("missing required field `place`"),
        "{errors}"
    );
}

#[test]
fn an_unknown_level_suggests_the_slug() {
    let f = Fixture::valid();
    f.write(
        "content/problems/问责不力.md",
        "---\ntitle: 问责力度不足\nsummary: 问责偏软。\nlevel: 责任认知\nsources: [doc]\n---\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains("问责不力.md:4") && errors.contains("unknown level `责任认知`"),
        "{errors}"
    );
    assert!(errors.contains("use `cognition`"), "{errors}");
}

#[test]
fn an_unknown_reference_suggests_the_closest_page() {
    let f = Fixture::valid();
    f.write("content/cases/anyang.md", "---\ntitle: 某地做法\nsummary: 一个案例。\nplace: 某市\nproblems: [formalsm]\ncountermeasures: [lists]\nsources: [doc]\n---\n");
    let errors = f.errors();
    assert!(errors.contains("content/cases/anyang.md:5"), "{errors}");
    assert!(
        errors.contains("formalism"),
        "hint should name the closest slug: {errors}"
    );
}

#[test]
fn an_unknown_tag_is_an_error() {
    let f = Fixture::valid();
    f.write("content/countermeasures/lists.md", "---\ntitle: 责任清单\nsummary: 列出责任。\ntags: [formalsim]\nproblems: [formalism]\nsources: [doc]\n---\n");
    let errors = f.errors();
    assert!(
        errors.contains("content/countermeasures/lists.md:4") && errors.contains("formalsim"),
        "{errors}"
    );
    assert!(errors.contains("formalism"), "{errors}");
}

#[test]
fn an_unknown_kind_folder_or_kind_field_is_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/problem/x.md",
        "---\ntitle: x\nsummary: x\nlevel: cognition\n---\n",
    );
    f.write(
        "content/cases/anyang.md",
        "---\ntitle: 某地做法\nkind: problem\nsummary: 一个案例。\nplace: 某市\nsources: [doc]\n---\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/problem") && errors.contains("unknown kind folder"),
        "{errors}"
    );
    assert!(errors.contains("did you mean `problems`"), "{errors}");
    assert!(errors.contains("content/cases/anyang.md:3"), "{errors}");
}

#[test]
fn an_unknown_kind_in_the_config_is_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/site.yaml",
        &common::SITE_YAML.replace("slug: case,", "slug: cases,"),
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/site.yaml:") && errors.contains("unknown kind `cases`"),
        "{errors}"
    );
}

#[test]
fn a_tag_that_would_overwrite_the_tag_index_is_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/site.yaml",
        &format!("{}  - {{ slug: index, name: 索引 }}\n", common::SITE_YAML),
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/site.yaml:") && errors.contains("tag `index`"),
        "{errors}"
    );
}

#[test]
fn a_broken_internal_link_is_located_to_line_and_column() {
    let f = Fixture::valid();
    f.write(
        "content/pages/about.md",
        "---\ntitle: 关于\n---\n\n第一段。\n\n见[清单](@/countermeasures/list.md)。\n",
    );
    let errors = f.errors();
    assert!(errors.contains("content/pages/about.md:7:2"), "{errors}");
    assert!(
        errors.contains("did you mean `@/countermeasures/lists.md`"),
        "{errors}"
    );
}

#[test]
fn two_pages_with_one_slug_are_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/problems/other.md",
        "---\ntitle: 另一个\nslug: formalism\nsummary: x\nlevel: cognition\nsources: [doc]\n---\n",
    );
    let errors = f.errors();
    assert!(errors.contains("duplicate slug `formalism`"), "{errors}");
    assert!(errors.contains(":3"), "{errors}");
}

#[test]
fn a_page_slug_named_index_is_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/problems/index.md",
        "---\ntitle: 索引\nsummary: x\nlevel: cognition\n---\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains("content/problems/index.md") && errors.contains("slug `index`"),
        "{errors}"
    );
}

#[test]
fn a_non_utf8_file_is_located_with_a_hint() {
    let f = Fixture::valid();
    // "标题" in GB18030 after a valid first line.
    f.write_bytes(
        "content/pages/gbk.md",
        b"---\ntitle: \xb1\xea\xcc\xe2\n---\n",
    );
    let errors = f.errors();
    assert!(errors.contains("content/pages/gbk.md:2:8"), "{errors}");
    assert!(
        errors.contains("not valid UTF-8") && errors.contains("iconv"),
        "{errors}"
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let f = Fixture::valid();
    f.write(
        "content/cases/a.md",
        "---\ntitle: a\nsummary: a\nplace: x\ntgas: []\n---\n",
    );
    f.write(
        "content/cases/b.md",
        "---\ntitle: b\nsummary: b\nplace: x\nproblems: [nope]\n---\n",
    );
    f.write(
        "content/pages/c.md",
        "---\ntitle: c\n---\n\n[x](@/nowhere.md)\n",
    );
    f.write_bytes("content/pages/d.md", b"\xff\xfe");
    let failure = f.check().unwrap_err();
    let errors: Vec<String> = failure
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    for file in ["cases/a.md", "cases/b.md", "pages/c.md", "pages/d.md"] {
        assert!(
            errors.iter().any(|e| e.contains(file)),
            "{file} not reported: {errors:#?}"
        );
    }
}

#[test]
fn warnings_do_not_fail_the_build_but_are_reported() {
    let f = Fixture::valid();
    f.write(
        "content/cases/lonely.md",
        "---\ntitle: 孤立\nsummary: 没人引用。\nplace: 某地\n---\n",
    );
    let report = f.check().unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("cases/lonely.md") && w.contains("orphan")),
        "{warnings:?}"
    );
}

#[test]
fn a_stray_html_file_beside_a_page_is_an_error_naming_both() {
    let f = Fixture::valid();
    f.write(
        "content/problems/formalism.html",
        "<h1>STRAY</h1><script>x()</script>",
    );
    let errors = f.errors();
    assert!(
        errors.contains("error: content/problems/formalism.html: the file `content/problems/formalism.html` would overwrite the page from content/problems/formalism.md"),
        "{errors}"
    );
}

#[test]
fn a_stray_index_html_in_a_kind_folder_is_an_error() {
    let f = Fixture::valid();
    f.write("content/cases/index.html", "<h1>STRAY</h1>");
    let errors = f.errors();
    assert!(
        errors.contains("would overwrite the index of 案例"),
        "{errors}"
    );
}

#[test]
fn every_output_name_the_generator_owns_is_reserved_for_kind_folders() {
    for folder in [
        "search",
        "search.html",
        "index.html",
        "static",
        "tags",
        "levels",
    ] {
        let f = Fixture::valid();
        let yaml = common::SITE_YAML.replace("folder: pages,", &format!("folder: {folder},"));
        f.write("content/site.yaml", &yaml);
        let errors = f.errors();
        assert!(
            errors.contains(&format!("kind folder `{folder}` is reserved")),
            "{folder}: {errors}"
        );
    }
}

#[test]
fn two_kinds_sharing_a_folder_are_named() {
    let f = Fixture::valid();
    let yaml = common::SITE_YAML.replace("folder: pages,", "folder: sources,");
    f.write("content/site.yaml", &yaml);
    let errors = f.errors();
    assert!(
        errors.contains("kinds `source` and `page` both use the folder `sources`"),
        "{errors}"
    );
}

#[test]
fn file_names_that_differ_only_by_case_or_unicode_form_are_an_error() {
    let f = Fixture::valid();
    f.write(
        "content/problems/Formalism.md",
        "---\ntitle: 另一个\nsummary: x\nlevel: cognition\nsources: [doc]\n---\n",
    );
    let errors = f.errors();
    assert!(
        errors.contains(
            "`problems/formalism.html` and `problems/Formalism.html` differ only by letter case"
        ),
        "{errors}"
    );
}
