//! One test per class of bad input. Each case is a folder under `tests/fixtures/invalid/`
//! holding only the files it changes in the valid fixture, and `expected.txt`: the exact
//! report the build must give — every problem at once, each with file, line, column and
//! hint. (With `POLICYKB_BLESS=1` a run writes the reports it got, for reviewing a change.)

mod common;

use std::fs;

use common::Fixture;
use policykb::content::{Kind, Shape, FIELDS};

/// Builds the case and compares its report with `expected.txt`.
fn check(case: &str) {
    let f = Fixture::invalid(case);
    let got = f.errors();
    let expected_file = common::fixtures()
        .join("invalid")
        .join(case)
        .join("expected.txt");
    if std::env::var_os("POLICYKB_BLESS").is_some() {
        fs::write(&expected_file, format!("{got}\n")).unwrap();
    }
    let expected = fs::read_to_string(&expected_file).unwrap_or_else(|_| {
        panic!(
            "{} is missing; the build said:\n{got}",
            expected_file.display()
        )
    });
    assert_eq!(got, expected.trim_end(), "case {case}");
}

macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        $( #[test] fn $case() { check(stringify!($case)); } )*
    };
}

cases!(
    malformed_yaml,
    unknown_key_suggests_the_right_one,
    every_problem_of_one_file_at_once,
    key_of_another_kind,
    missing_required_field,
    unknown_level_suggests_the_slug,
    unknown_reference_suggests_the_closest_page,
    unknown_tag_on_its_own_line,
    unknown_kind_folder_and_kind_field,
    unknown_kind_in_the_config,
    tag_named_index,
    two_kinds_share_a_folder,
    broken_internal_link_line_and_column,
    broken_relative_link,
    missing_anchors,
    duplicate_slug,
    slug_named_index,
    stray_html_beside_a_page,
    stray_index_html_in_a_kind_folder,
    names_differing_only_by_case,
    anchors_and_aliases,
    title_null,
    tabs_in_front_matter,
    duplicate_key,
    config_and_page_errors_together,
    several_template_errors,
    theme_outside_themes_folder,
    gbk_file_without_false_errors,
    utf16_file_without_false_errors,
    course_problems,
    quiz_problems,
);

/// Every front-matter field, on every kind that takes it, is reported on its own line
/// (and column) when its value is wrong, however the other lines look.
#[test]
fn every_front_matter_field_is_reported_on_its_own_line() {
    let folders = [
        (Kind::Responsibility, "responsibilities"),
        (Kind::Problem, "problems"),
        (Kind::Countermeasure, "countermeasures"),
        (Kind::Case, "cases"),
        (Kind::Source, "sources"),
        (Kind::Guide, "pages"),
        (Kind::Course, "courses"),
    ];
    let mut checked = 0;
    for (kind, folder) in folders {
        for field in FIELDS.iter().filter(|f| f.accepts(kind)) {
            // A bad value for the field, and what the build must say about it.
            let (value, message) = match field.shape {
                Shape::Text => (
                    "[a, b]",
                    format!("`{}`: invalid type: sequence", field.name),
                ),
                Shape::TextList => ("{ a: b }", format!("`{}`: invalid type: map", field.name)),
                Shape::Integer => ("\"x\"", format!("`{}`: invalid type: string", field.name)),
                Shape::Flag => ("[x]", format!("`{}`: invalid type: sequence", field.name)),
                Shape::Level => ("nowhere", "unknown level `nowhere`".to_string()),
                Shape::Tags => ("[formalism, nowhere]", "unknown tag `nowhere`".to_string()),
                Shape::References(_) => ("[nowhere]", format!("`{}` names `nowhere`", field.name)),
                Shape::Number => ("\"x\"", format!("`{}`: invalid type: string", field.name)),
                Shape::Units => (
                    "[{ title: 单元 }]",
                    format!("`{}.0`: the unit `单元` covers no page", field.name),
                ),
                Shape::Quiz => (
                    "[{ question: 问, options: [甲, 乙], answer: C, explanation: 释, source: doc }]",
                    format!("`{}.0.answer`: the answer `C` is none of the 2 options", field.name),
                ),
            };
            // Values that contain the field's name elsewhere, to catch substring searches.
            let mut lines = vec![
                format!("title: {} {}", field.name, "nowhere"),
                format!("summary: {} nowhere", field.name),
                "place: 某地".to_string(),
                "publisher: 某单位".to_string(),
                "level: cognition".to_string(),
                "audience: 班子成员".to_string(),
                "duration: 1".to_string(),
                "units: [{ title: 单元, pages: [problems/formalism], minutes: 45 }]".to_string(),
            ];
            lines.retain(|line| {
                let key = line.split(':').next().unwrap();
                key != field.name && FIELDS.iter().any(|f| f.name == key && f.accepts(kind))
            });
            lines.push(format!("{}: {value}", field.name));
            let line = lines.len() + 1;
            let column = field.name.len()
                + 3
                + match field.shape {
                    Shape::Tags => "[formalism, ".len(),
                    Shape::References(_) | Shape::Units => 1,
                    // The answer's column inside the flow mapping.
                    Shape::Quiz => "[{ question: 问, options: [甲, 乙], answer: "
                        .chars()
                        .count(),
                    _ => 0,
                };
            let f = Fixture::with("course");
            f.write(
                &format!("content/{folder}/probe.md"),
                &format!("---\n{}\n---\n", lines.join("\n")),
            );
            let errors = f.errors();
            let wanted = format!("content/{folder}/probe.md:{line}:{column}: ");
            assert!(
                errors
                    .lines()
                    .any(|l| l.contains(&wanted) && l.contains(&message)),
                "{}.{}: expected `{wanted}…{message}` in:\n{errors}",
                kind.slug(),
                field.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} fields checked");
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
        "404.html",
    ] {
        let f = Fixture::valid();
        let yaml = common::site_yaml().replace("folder: pages,", &format!("folder: {folder},"));
        f.write("content/site.yaml", &yaml);
        let errors = f.errors();
        assert!(
            errors.contains(&format!("kind folder `{folder}` is reserved")),
            "{folder}: {errors}"
        );
    }
}

#[test]
fn names_that_differ_only_by_unicode_form_are_an_error() {
    for (a, b) in [("caf\u{e9}", "cafe\u{301}"), ("\u{8c48}", "\u{f900}")] {
        let f = Fixture::valid();
        for name in [a, b] {
            f.write(
                &format!("content/pages/{name}.md"),
                &format!("---\ntitle: {name}\n---\n"),
            );
        }
        let errors = f.errors();
        assert!(
            errors.contains("differ only by letter case or Unicode form"),
            "{errors}"
        );
    }
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_or_hold_a_newline_are_an_error() {
    use std::os::unix::ffi::OsStrExt;
    let f = Fixture::valid();
    let bad = f
        .root
        .join("content/pages")
        .join(std::ffi::OsStr::from_bytes(b"bad\xff.md"));
    fs::write(bad, "---\ntitle: x\n---\n").unwrap();
    f.write("content/pages/line\nbreak.md", "---\ntitle: y\n---\n");
    let errors = f.errors();
    assert_eq!(
        errors
            .matches("the file name is not valid UTF-8 or holds a control character")
            .count(),
        2,
        "{errors}"
    );
}

#[cfg(unix)]
#[test]
fn every_skipped_symbolic_link_is_a_warning() {
    let f = Fixture::valid();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("x.md"), "---\ntitle: x\n---\n").unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), f.root.join("content/pages/linked")).unwrap();
    std::os::unix::fs::symlink(
        elsewhere.path().join("x.md"),
        f.root.join("content/pages/x.md"),
    )
    .unwrap();
    let report = f.check().expect("symlinks are skipped, not errors");
    let skipped: Vec<String> = report
        .warnings
        .iter()
        .filter(|w| w.message == "skipped: a symbolic link")
        .map(|w| w.file.display().to_string())
        .collect();
    assert_eq!(skipped, ["content/pages/linked", "content/pages/x.md"]);
}

#[cfg(unix)]
#[test]
fn a_site_yaml_linking_out_of_the_knowledge_base_is_not_read() {
    let f = Fixture::valid();
    let secret = tempfile::NamedTempFile::new().unwrap();
    fs::write(secret.path(), "root:SECRET-LINE\n").unwrap();
    fs::remove_file(f.root.join("content/site.yaml")).unwrap();
    std::os::unix::fs::symlink(secret.path(), f.root.join("content/site.yaml")).unwrap();
    let errors = f.errors();
    assert!(
        errors.contains("a link to a file outside the knowledge base"),
        "{errors}"
    );
    assert!(!errors.contains("SECRET"), "{errors}");
}

#[test]
fn a_missing_root_is_named_in_full() {
    let f = Fixture::new();
    let missing = f.root.join("nowhere");
    let failure = policykb::build(&policykb::BuildOptions {
        root: missing.clone(),
        output: None,
        pdf_browser: None,
    })
    .unwrap_err();
    let message = failure.diagnostics[0].to_string();
    assert!(
        message.contains(&missing.join("content/site.yaml").display().to_string()),
        "{message}"
    );
}

#[test]
fn script_and_data_urls_are_removed_with_a_warning() {
    let f = Fixture::valid();
    f.write(
        "content/pages/about.md",
        "---\ntitle: 关于\n---\n\n[点这里](javascript:alert(1)) 和 ![图](data:image/png;base64,AAAA)\n",
    );
    let report = f.check().unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.contains("script and data URLs are not allowed"))
            .map(|w| w
                .lines()
                .next()
                .unwrap()
                .split(": link")
                .next()
                .unwrap()
                .to_string())
            .collect::<Vec<_>>(),
        [
            "warning: content/pages/about.md:5:1",
            "warning: content/pages/about.md:5:30"
        ],
        "{warnings:?}"
    );
}
