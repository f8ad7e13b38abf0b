//! `search: { elasticlunr: true }`: the elasticlunr.js-compatible export. It reads back into
//! elasticlunr-rs, holds every page, is off by default, warns when large, and the README's
//! minimal page, running elasticlunr.js 0.9.5 in Chromium, finds what the built-in search
//! ranks first (over HTTP under a sub-path, and from `file://`).
//!
//! elasticlunr.js comes from the npm registry: `.ci/run` puts the package's
//! `elasticlunr.min.js` into `tests/.elasticlunr/node_modules/elasticlunr/`.

mod browser;
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use browser::{eval, eval_async, open, wait_for, Server};

/// The bundled knowledge base, copied into a temporary folder, with `setting` added to its
/// site.yaml.
fn bundled_with(name: &str, setting: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "policykb-elasticlunr-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&root);
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    common::copy_tree(&repository.join("content"), &root.join("content"));
    let config = root.join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\n{setting}\n")).unwrap();
    root
}

fn build(root: &Path) -> (PathBuf, policykb::BuildReport) {
    let output = root.join("public");
    let options = policykb::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output.clone()),
        pdf_browser: None,
    };
    match policykb::build(&options) {
        Ok(report) => (output, report),
        Err(failure) => panic!("build failed: {:#?}", failure.diagnostics),
    }
}

/// Every Markdown page of the knowledge base at `root`.
fn page_count(root: &Path) -> usize {
    walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count()
}

#[test]
fn the_export_reads_back_into_elasticlunr_rs_with_one_document_per_page() {
    let root = bundled_with("read-back", "search: { elasticlunr: true }");
    let (output, report) = build(&root);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let json = fs::read_to_string(output.join("search/elasticlunr-index.json")).unwrap();
    // elasticlunr-rs reads its version string and language name borrowed from the input,
    // for as long as the program runs.
    let text: &'static str = Box::leak(json.clone().into_boxed_str());
    let index: elasticlunr::Index = serde_json::from_str(text).expect("an elasticlunr-rs Index");
    assert_eq!(index.get_fields(), ["title", "aliases", "tags", "body"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pages = page_count(&root);
    let docs = value["documentStore"]["docs"].as_object().unwrap();
    assert_eq!(docs.len(), pages);
    assert_eq!(value["documentStore"]["length"], pages);
    assert_eq!(value["version"], "0.9.5");
    // What a result list needs, under the page's number, with the URL relative to the root.
    let principal = docs
        .values()
        .find(|doc| doc["url"] == "responsibilities/principal.html")
        .expect("主体责任's document");
    assert_eq!(value["ref"], "id");
    assert!(docs
        .keys()
        .all(|key| key.parse::<usize>().is_ok_and(|n| n < pages)));
    assert_eq!(principal["kind"], "责任类型");
    assert!(principal["title"].as_str().unwrap().contains("主体责任"));
    assert!(!principal["summary"].as_str().unwrap().is_empty());
    assert!(output.join(principal["url"].as_str().unwrap()).is_file());
    // Chinese tokens, as the built-in search makes them: bigrams.
    assert!(
        value["index"]["title"]["root"].get("主").is_some(),
        "no Han tokens"
    );
    // The script form assigns the same index to a global.
    let script = fs::read_to_string(output.join("search/elasticlunr-index.js")).unwrap();
    let assigned = script
        .strip_prefix("window.searchIndex = ")
        .and_then(|rest| rest.strip_suffix(";\n"))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(assigned).unwrap(),
        value
    );
    // The export is in the manifest like every other file.
    let manifest = fs::read_to_string(output.join(".policykb-output")).unwrap();
    assert!(
        manifest.contains("  search/elasticlunr-index.json\n"),
        "{manifest}"
    );
}

#[test]
fn no_elasticlunr_files_unless_asked() {
    let root = bundled_with("off", "");
    let (output, _) = build(&root);
    let exported: Vec<String> = fs::read_dir(output.join("search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("elasticlunr"))
        .collect();
    assert!(exported.is_empty(), "{exported:?}");
}

#[test]
fn a_large_export_is_a_warning_with_its_size_and_a_hint() {
    let root = bundled_with("large", "search: { elasticlunr: true }");
    // 400 pages of varied text: an index of well over 10 MB.
    let mut seed: u32 = 1;
    for n in 0..400 {
        let text: String = (0..3000)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from_u32(0x4e00 + (seed >> 16) % 3000).unwrap()
            })
            .collect();
        fs::write(
            root.join(format!("content/pages/filler-{n}.md")),
            format!("---\ntitle: 填充页{n}\n---\n\n{text}\n"),
        )
        .unwrap();
    }
    let (output, report) = build(&root);
    let size = fs::metadata(output.join("search/elasticlunr-index.json"))
        .unwrap()
        .len();
    assert!(size > 10 * 1024 * 1024, "only {size} bytes");
    let warning = report
        .warnings
        .iter()
        .find(|w| w.message.contains("elasticlunr index"))
        .unwrap_or_else(|| panic!("no warning: {:#?}", report.warnings));
    let shown = format!("{:.1} MB", size as f64 / 1e6);
    assert!(
        warning.message.contains(&shown),
        "{} ≠ {shown}",
        warning.message
    );
    assert!(warning
        .hint
        .as_deref()
        .unwrap_or_default()
        .contains("built-in search"));
}

/// Queries a reader might type: titles, parts of them, words from the text, traditional
/// characters, full-width letters. Not tuned to agree.
const QUERIES: &[&str] = &[
    "主体责任",
    "监督责任",
    "一岗双责",
    "第一责任人",
    "问责",
    "精准问责",
    "容错纠错",
    "两张皮",
    "形式主义",
    "官僚主义",
    "压力传导",
    "责任清单",
    "述责述廉",
    "谈话提醒",
    "警示教育",
    "政治生态",
    "民主生活会",
    "选人用人",
    "巡视巡察",
    "主體責任",
    "責任追究",
    "廉政",
    "基层党组织",
    "以会议落实会议",
    "党建和业务融合",
    "ＰＤＦ",
];

/// The first result's URL (relative to the site root) of each query: from the built-in
/// search on `search.html`, and from the README's page running elasticlunr.js.
fn first_results(
    tab: &headless_chrome::Tab,
    base: &str,
) -> Vec<(String, Option<String>, Option<String>)> {
    open(tab, &format!("{base}search.html"));
    let built_in: Vec<Option<String>> = QUERIES
        .iter()
        .map(|q| {
            let expression = format!(
                "PolicykbSearch.query({}).then(f => f.results.length ? f.results[0].doc.url : null)",
                serde_json::to_string(q).unwrap()
            );
            eval_async(tab, &expression).as_str().map(str::to_string)
        })
        .collect();
    open(tab, &format!("{base}elasticlunr.html"));
    wait_for(tab, "typeof index !== 'undefined' && !!index.documentStore");
    let exported: Vec<Option<String>> = QUERIES
        .iter()
        .map(|q| {
            let expression = format!(
                "(() => {{ const q = document.getElementById('q'); q.value = {}; \
                 q.dispatchEvent(new Event('input')); \
                 const first = document.querySelector('#results a'); \
                 return first ? first.getAttribute('href') : null; }})()",
                serde_json::to_string(q).unwrap()
            );
            eval(tab, &expression).as_str().map(str::to_string)
        })
        .collect();
    QUERIES
        .iter()
        .zip(built_in.into_iter().zip(exported))
        .map(|(q, (a, b))| (q.to_string(), a, b))
        .collect()
}

/// The README's minimal page, written at the site root with elasticlunr.min.js beside it.
fn add_readme_page(site: &Path) {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("### An elasticlunr index for other tools")
        .nth(1)
        .expect("the README's elasticlunr section");
    let page = section
        .split("```html\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README's minimal page");
    fs::write(site.join("elasticlunr.html"), page).unwrap();
    let library = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/.elasticlunr/node_modules/elasticlunr/elasticlunr.min.js");
    let source = fs::read(&library).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; .ci/run installs elasticlunr.js from the npm registry",
            library.display()
        )
    });
    fs::write(site.join("elasticlunr.min.js"), source).unwrap();
}

/// Agreement with the built-in search over `QUERIES`; every disagreement is printed.
fn check_agreement(results: &[(String, Option<String>, Option<String>)], how: &str) {
    let mut agree = 0;
    for (query, built_in, exported) in results {
        assert!(
            exported.is_some(),
            "{how}: elasticlunr found nothing for {query}"
        );
        if built_in == exported {
            agree += 1;
        } else {
            eprintln!("{how}: {query}: built-in {built_in:?}, elasticlunr {exported:?}");
        }
    }
    eprintln!(
        "{how}: the first result agrees for {agree} of {} queries",
        results.len()
    );
    assert!(
        agree * 10 >= results.len() * 6,
        "{how}: only {agree} of {} first results agree",
        results.len()
    );
}

#[test]
fn the_readme_page_finds_what_the_built_in_search_ranks_first() {
    let root = bundled_with("browser", "search: { elasticlunr: true }");
    let www = browser::build_site(&root, "elasticlunr");
    let site = browser::site_folder(&www);
    add_readme_page(&site);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();

    let server = Server::start(www.clone());
    let over_http = first_results(&tab, &server.base_url);
    check_agreement(&over_http, "HTTP");
    assert!(server.missing().is_empty(), "{:?}", server.missing());

    let base = browser::file_url(&site) + "/";
    let from_files = first_results(&tab, &base);
    assert_eq!(from_files, over_http, "file:// and HTTP differ");
}
