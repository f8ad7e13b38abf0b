//! Authoring from zero: `init` without a theme copy, `policykb new` for every kind,
//! `policykb theme eject`, and a template copy that an upgrade left behind.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the policykb binary in `dir`.
fn policykb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh `policykb init` knowledge base in a temporary folder.
fn init() -> tempfile::TempDir {
    let parent = tempfile::tempdir().unwrap();
    let out = policykb(parent.path(), &["init", "kb"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Move the knowledge base up so that the TempDir owns it.
    let dir = tempfile::tempdir().unwrap();
    fs::remove_dir(dir.path()).unwrap();
    fs::rename(parent.path().join("kb"), dir.path()).unwrap();
    dir
}

/// Every file below `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

#[test]
fn init_holds_content_only_and_builds_with_the_built_in_theme() {
    let kb = init();
    let written = files(kb.path());
    assert!(
        written.iter().all(|f| f.starts_with("content/")),
        "init wrote outside content/: {written:?}"
    );
    // One example per kind, the course included.
    for folder in [
        "responsibilities",
        "problems",
        "countermeasures",
        "cases",
        "sources",
        "pages",
        "courses",
    ] {
        assert!(
            written
                .iter()
                .any(|f| f.starts_with(&format!("content/{folder}/"))),
            "no example in {folder}: {written:?}"
        );
    }
    let out = policykb(kb.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // The built-in stylesheet, byte for byte.
    let public = kb.path().join("public");
    let built = fs::read(public.join(common::hashed(&public, "static/style.css"))).unwrap();
    let theme =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css"))
            .unwrap();
    assert_eq!(built, theme);
    // The elasticlunr export is off, and shown commented out, ready to switch on.
    assert!(!public.join("search/elasticlunr-index.json").exists());
    let config = fs::read_to_string(kb.path().join("content/site.yaml")).unwrap();
    assert!(
        config.contains("\n# search: { elasticlunr: true }\n"),
        "{config}"
    );
    let switched_on = config.replace("\n# search: {", "\nsearch: {");
    fs::write(kb.path().join("content/site.yaml"), switched_on).unwrap();
    let out = policykb(kb.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(public.join("search/elasticlunr-index.json").is_file());
}

const KINDS: [(&str, &str); 7] = [
    ("responsibility", "responsibilities"),
    ("problem", "problems"),
    ("countermeasure", "countermeasures"),
    ("case", "cases"),
    ("source", "sources"),
    ("page", "pages"),
    ("course", "courses"),
];

#[test]
fn new_pages_of_every_kind_build_and_warn_until_their_placeholders_are_filled() {
    let kb = init();
    for (kind, folder) in KINDS {
        let slug = format!("新-{kind}");
        let out = policykb(kb.path(), &["new", kind, &slug]);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
        let file = kb.path().join(format!("content/{folder}/{slug}.md"));
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("【待填写："),
            "{kind}: no placeholder\n{text}"
        );
        // A comment in Chinese for the fields.
        assert!(text.contains("# 标题："), "{text}");
    }
    // The kind may also be named by its folder or its name; the title may be given.
    let out = policykb(
        kb.path(),
        &["new", "典型案例", "某地-双清单", "--title", "某地：双清单"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let case = fs::read_to_string(kb.path().join("content/cases/某地-双清单.md")).unwrap();
    assert!(case.contains("\ntitle: 某地：双清单\n"), "{case}");
    assert!(policykb(kb.path(), &["new", "cases", "by-folder"])
        .status
        .success());

    // They build, with a warning at each placeholder left in.
    let out = policykb(kb.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warnings = stderr(&out);
    for (kind, folder) in KINDS {
        assert!(
            warnings.contains(&format!("content/{folder}/新-{kind}.md:"))
                && warnings.contains("placeholder left in: 【待填写"),
            "{kind}: {warnings}"
        );
    }

    // Filled in, they build without a placeholder warning.
    let placeholder = regex::Regex::new("【待填写[^】]*】").unwrap();
    for file in files(kb.path()) {
        let path = kb.path().join(&file);
        let text = fs::read_to_string(&path).unwrap();
        if text.contains("【待填写") {
            let filled = placeholder.replace_all(&text, "作者写的内容");
            fs::write(&path, filled.as_ref()).unwrap();
        }
    }
    let out = policykb(kb.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("placeholder"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
}

#[test]
fn new_refuses_an_existing_slug_an_unknown_kind_and_a_bad_slug_and_writes_nothing() {
    let kb = init();
    let before = files(kb.path());
    let original = fs::read(kb.path().join("content/cases/example-case.md")).unwrap();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["new", "case", "example-case"],
            "example-case.md already exists",
            "choose another slug",
        ),
        (
            &["new", "case", "EXAMPLE-case"],
            "example-case.md already exists",
            "choose another slug",
        ),
        (
            &["new", "caes", "x"],
            "unknown kind `caes`",
            "did you mean `cases`?",
        ),
        (
            &["new", "blog", "x"],
            "unknown kind `blog`",
            "responsibility (责任类型)",
        ),
        (&["new", "case", "a b"], "invalid slug `a b`", "某地-双清单"),
        (&["new", "case", "../x"], "invalid slug `../x`", ""),
    ];
    for (args, message, hint) in cases {
        let out = policykb(kb.path(), args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let text = stderr(&out);
        assert!(
            text.contains(message) && text.contains(hint),
            "{args:?}: {text}"
        );
    }
    assert_eq!(files(kb.path()), before);
    assert_eq!(
        fs::read(kb.path().join("content/cases/example-case.md")).unwrap(),
        original
    );
    // Outside a knowledge base: says where to run it.
    let empty = tempfile::tempdir().unwrap();
    let out = policykb(empty.path(), &["new", "case", "x"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("policykb init"), "{}", stderr(&out));
}

#[test]
fn theme_eject_copies_exactly_what_was_asked_and_never_overwrites() {
    let kb = init();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let out = policykb(
        kb.path(),
        &[
            "theme",
            "eject",
            "page.html",
            "static/style.css",
            "strings.yaml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no longer change when policykb is upgraded")
    );
    let ejected: Vec<String> = files(kb.path())
        .into_iter()
        .filter(|f| !f.starts_with("content/"))
        .collect();
    assert_eq!(
        ejected,
        [
            "static/style.css",
            "templates/page.html",
            "templates/strings.yaml"
        ]
    );
    for (copy, original) in [
        ("static/style.css", "static/style.css"),
        ("templates/page.html", "templates/page.html"),
        ("templates/strings.yaml", "strings.yaml"),
    ] {
        assert_eq!(
            fs::read(kb.path().join(copy)).unwrap(),
            fs::read(theme.join(original)).unwrap(),
            "{copy}"
        );
    }

    // A customised copy is used, and a second eject does not overwrite it (nor write
    // anything else of what was asked).
    fs::write(
        kb.path().join("templates/strings.yaml"),
        "toc: 目录（本单位）\n",
    )
    .unwrap();
    let out = policykb(kb.path(), &["theme", "eject", "base.html", "strings.yaml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not overwritten") && stderr(&out).contains("strings.yaml"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.path().join("templates/base.html").exists());
    assert_eq!(
        fs::read_to_string(kb.path().join("templates/strings.yaml")).unwrap(),
        "toc: 目录（本单位）\n"
    );

    // An unknown name suggests the closest.
    let out = policykb(kb.path(), &["theme", "eject", "pgae.html"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("did you mean `page.html`?"),
        "{}",
        stderr(&out)
    );

    // No names: the whole theme, into a knowledge base without copies.
    let fresh = init();
    let out = policykb(fresh.path(), &["theme", "eject"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let copied = files(fresh.path())
        .into_iter()
        .filter(|f| !f.starts_with("content/"))
        .count();
    assert_eq!(copied, files(&theme).len());
    let out = policykb(fresh.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_template_copy_that_uses_what_the_tool_no_longer_has_names_itself_and_suggests_ejecting_again()
{
    let kb = init();
    let out = policykb(kb.path(), &["theme", "eject", "page.html"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = kb.path().join("templates/page.html");
    let text = fs::read_to_string(&copy).unwrap();
    // As if an older policykb had given pages a variable this one no longer has.
    let stale = text.replacen("{{ page.title", "{{ page.old_title_field", 1);
    assert_ne!(stale, text, "page.html prints page.title");
    fs::write(&copy, stale).unwrap();
    let out = policykb(kb.path(), &["build"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("templates/page.html:"), "{text}");
    assert!(
        text.contains("policykb theme eject page.html"),
        "no re-eject hint: {text}"
    );
}

/// The Chinese words of the default theme's UI are in the theme (templates and
/// strings.yaml), where an author can change them without recompiling: none are in the
/// Rust code that renders pages.
#[test]
fn the_ui_words_live_in_the_theme_not_in_the_renderer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<_> = walkdir::WalkDir::new(src.join("render"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.push(src.join("markdown.rs"));
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or_default();
            let in_quotes = line.split('"').skip(1).step_by(2);
            if in_quotes
                .into_iter()
                .any(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
            {
                found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "UI words in Rust:\n{}", found.join("\n"));
}

#[test]
fn a_knowledge_base_changes_ui_words_in_its_strings_file() {
    let kb = init();
    fs::create_dir_all(kb.path().join("templates")).unwrap();
    fs::write(
        kb.path().join("templates/strings.yaml"),
        "sources: 参考文献\nmarkup:\n  heading_anchor: 链接到这一节\n",
    )
    .unwrap();
    let out = policykb(kb.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(kb.path().join("public/problems/example-problem.html")).unwrap();
    assert!(page.contains("aria-label=\"链接到这一节\""), "{page}");
    assert!(page.contains(">参考文献<"), "{page}");
    assert!(!page.contains("本节链接"));
}

/// A fenced block of the guide: its first line in the file, info string and lines.
struct Block {
    line: usize,
    info: String,
    lines: Vec<String>,
}

fn fenced_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let fence: String = lines[i]
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        if fence.len() < 3 {
            i += 1;
            continue;
        }
        let info = lines[i][fence.len()..].trim().to_string();
        let end = (i + 1..lines.len())
            .find(|&j| {
                lines[j].trim().starts_with(&fence)
                    && lines[j]
                        .trim()
                        .chars()
                        .all(|c| c == fence.as_bytes()[0] as char)
            })
            .unwrap_or_else(|| panic!("author guide: unclosed fence at line {}", i + 1));
        blocks.push(Block {
            line: i + 1,
            info,
            lines: lines[i + 1..end].iter().map(|l| l.to_string()).collect(),
        });
        i = end + 1;
    }
    blocks
}

/// The path an example block stands for, after `marker` (`# 文件：` or `# 错误示例：`):
/// the first line of a `yaml` block, the line after `---` of a `markdown` block.
fn example_path(block: &Block, marker: &str) -> Option<String> {
    let line = match block.info.as_str() {
        "yaml" => block.lines.first(),
        "markdown" if block.lines.first().is_some_and(|l| l == "---") => block.lines.get(1),
        _ => None,
    }?;
    line.strip_prefix(marker).map(|p| p.trim().to_string())
}

fn write_example(root: &Path, path: &str, lines: &[String]) {
    let file = root.join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(file, lines.join("\n") + "\n").unwrap();
}

/// The lines of `check`'s report that the guide shows: errors, warnings, hints.
fn diagnostic_lines(root: &Path) -> (bool, Vec<String>) {
    let out = policykb(root, &["check"]);
    let lines = stderr(&out)
        .lines()
        .filter(|l| {
            l.starts_with("error: ") || l.starts_with("warning: ") || l.starts_with("  hint: ")
        })
        .map(str::to_string)
        .collect();
    (out.status.success(), lines)
}

/// The author's guide cannot go stale: its whole example files, together, are a knowledge
/// base that checks clean, and each of its broken examples, added to that knowledge base,
/// makes `check` print exactly what the guide shows after it.
#[test]
fn the_authors_guide_examples_build_and_its_error_examples_print_what_it_shows() {
    let guide = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content/pages/author-guide.md"),
    )
    .unwrap();
    let blocks = fenced_blocks(&guide);
    let good = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for block in &blocks {
        if let Some(path) = example_path(block, "# 文件：") {
            assert!(!paths.contains(&path), "guide: {path} twice");
            write_example(good.path(), &path, &block.lines);
            paths.push(path);
        }
    }
    // Every kind has a whole example.
    for (_, folder) in KINDS {
        assert!(
            paths
                .iter()
                .any(|p| p.starts_with(&format!("content/{folder}/"))),
            "guide: no example page in {folder}/: {paths:?}"
        );
    }
    let (ok, lines) = diagnostic_lines(good.path());
    assert!(ok && lines.is_empty(), "guide's examples: {lines:#?}");

    let mut broken = 0;
    for (n, block) in blocks.iter().enumerate() {
        let Some(path) = example_path(block, "# 错误示例：") else {
            continue;
        };
        let shown = blocks[n + 1..]
            .iter()
            .find(|b| b.info == "text")
            .unwrap_or_else(|| panic!("guide line {}: no `text` block after it", block.line));
        let site = tempfile::tempdir().unwrap();
        common::copy_tree(good.path(), site.path());
        write_example(site.path(), &path, &block.lines);
        let (_, lines) = diagnostic_lines(site.path());
        assert_eq!(
            lines, shown.lines,
            "guide line {}: the output shown at line {} is not what check prints",
            block.line, shown.line
        );
        broken += 1;
    }
    assert!(broken >= 10, "only {broken} error examples");
}

#[test]
fn verify_passes_on_a_fresh_copy_and_names_each_changed_missing_and_added_file() {
    let kb = init();
    assert!(policykb(kb.path(), &["build"]).status.success());
    let copy = tempfile::tempdir().unwrap();
    common::copy_tree(&kb.path().join("public"), copy.path());
    let dir = copy.path().to_str().unwrap();
    let out = policykb(kb.path(), &["verify", dir]);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}");
    assert!(report.starts_with("verified: "), "{report}");

    let style = common::hashed(copy.path(), "static/style.css");
    fs::write(copy.path().join(&style), "body{}").unwrap();
    fs::remove_file(copy.path().join("cases/example-case.html")).unwrap();
    fs::write(copy.path().join("notes.txt"), "IT 的备注").unwrap();
    let out = policykb(kb.path(), &["verify", dir]);
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "{report}");
    for line in [
        &format!("changed: {style}") as &str,
        "missing: cases/example-case.html",
        "not from this build: notes.txt",
        "verify failed: ",
    ] {
        assert!(report.contains(line), "no `{line}` in\n{report}");
    }

    // Only a file of the server's own: passes, unless --strict.
    let server = tempfile::tempdir().unwrap();
    common::copy_tree(&kb.path().join("public"), server.path());
    fs::write(server.path().join(".htaccess"), "AddDefaultCharset utf-8\n").unwrap();
    let dir = server.path().to_str().unwrap();
    assert!(policykb(kb.path(), &["verify", dir]).status.success());
    assert!(!policykb(kb.path(), &["verify", "--strict", dir])
        .status
        .success());

    // Not a site at all.
    let empty = tempfile::tempdir().unwrap();
    let out = policykb(kb.path(), &["verify", empty.path().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(".policykb-output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_search_page_suggests_words_of_this_knowledge_base_not_of_the_bundled_one() {
    let kb = init();
    fs::write(
        kb.path().join("content/site.yaml"),
        fs::read_to_string(kb.path().join("content/site.yaml"))
            .unwrap()
            .replace(
                "    description: 初始化时生成的示例页面。",
                "    description: 初始化时生成的示例页面。\n  - slug: second\n    name: 第二个标签",
            ),
    )
    .unwrap();
    let out = policykb(kb.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(kb.path().join("public/search.html")).unwrap();
    assert!(
        page.contains("placeholder=\"输入词语，如 示例、第二个标签；用引号搜索短语\""),
        "{page}"
    );
    assert!(!page.contains("两张皮"));
}
