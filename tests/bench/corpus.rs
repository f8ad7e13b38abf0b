//! Benchmark: build time, memory, search-index size and in-browser search latency on a
//! synthetic knowledge base of N pages (the shared corpus generator, adapted to our format).
//!
//!     cargo bench --bench corpus                      # 1,000 and 10,000 pages
//!     cargo bench --bench corpus -- --pages 1000      # one size
//!     cargo bench --bench corpus -- --pages 10000 --pages 100000  # the scale rows
//!     cargo bench --bench corpus -- --generator PATH  # default ../shared/bench/gen_corpus.py
//!     cargo bench --bench corpus -- --pages 10000 --keep  # leave kb/ and public/ for profiling
//!     cargo bench --bench corpus -- --pages 10000 --prepare  # only generate kb/, measure nothing
//!
//! Work happens under /dev/shm (disk writes on the shared machines are erratic). The table is
//! printed and written to target/bench-corpus.md.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use headless_chrome::{Browser, LaunchOptions};

const LEVELS: [&str; 6] = [
    "cognition",
    "implementation",
    "accountability",
    "institutions",
    "transmission",
    "example",
];
const QUERIES: [&str; 12] = [
    "两张皮",
    "一岗双责",
    "上热中温下冷",
    "主体责任",
    "问责",
    "\"以会议落实会议\"",
    "谈心谈话",
    "责任清单 考核",
    "三会一课",
    "容错纠错",
    "表率作用",
    "警示教育",
];
const RUNS: usize = 3;

struct Row {
    pages: usize,
    build_median: Duration,
    build_runs: Vec<Duration>,
    /// CPU time (user + system) of the median build.
    build_cpu: Duration,
    peak_rss_mib: Option<f64>,
    /// The render floor (see `floor`): median wall and CPU time, and peak RSS.
    floor: Measured,
    /// Bytes of the site's HTML files, and of the corpus's Markdown.
    html_bytes: u64,
    corpus_bytes: u64,
    /// The most one query downloads (bytes of index files, uncompressed), and that query.
    largest_query: (u64, String),
    index_bytes: u64,
    /// meta.js and the posting shards, each gzipped on its own.
    postings_gzip: u64,
    /// The text chunks, each gzipped on its own.
    text_gzip: u64,
    average_chars: usize,
    cold_first_result_ms: f64,
    cold_gzip_bytes: u64,
    warm_p50_ms: f64,
    warm_p95_ms: f64,
    /// `serve`: save one page → rebuild finished, and → the open tab has reloaded (medians).
    rebuild_ms: f64,
    reloaded_ms: f64,
    /// `serve`: save a case's new title → rebuild finished (median).
    title_edit_ms: f64,
    /// The same builds with `autolink: false` (alternating with those above): the median,
    /// the glossary's cost being the difference.
    unlinked_median: Duration,
    /// One build with `compress: true`, and the size of the `.gz` copies it wrote (up to
    /// `EXTRAS_UP_TO` pages).
    compressed: Option<(Duration, u64)>,
    /// One build with `search: { elasticlunr: true }`, its peak RSS, and the size of the
    /// exported `elasticlunr-index.json` (up to `EXTRAS_UP_TO` pages: at 100,000 pages the
    /// export alone would need about 10 GB).
    elasticlunr: Option<(Duration, Option<f64>, u64)>,
}

/// The largest corpus that also gets the `compress: true` and elasticlunr builds.
const EXTRAS_UP_TO: usize = 20_000;

/// One command's wall time, CPU time (user + system) and peak RSS in MiB (where
/// /usr/bin/time exists).
#[derive(Clone, Copy)]
struct Measured {
    wall: Duration,
    cpu: Duration,
    rss_mib: Option<f64>,
}

/// `cargo bench --bench corpus -- [--pages N]… [--generator PATH]`
#[derive(clap::Parser)]
struct Args {
    /// Corpus sizes to measure (repeatable); default 1,000 and 10,000.
    #[arg(long = "pages")]
    sizes: Vec<usize>,
    /// The corpus generator; default ../shared/bench/gen_corpus.py.
    #[arg(long)]
    generator: Option<PathBuf>,
    /// Leave each size's knowledge base (`kb/`) and built site (`public/`) under the work
    /// folder, for profiling and for trying queries by hand.
    #[arg(long)]
    keep: bool,
    /// Only generate and adapt each size's knowledge base (`kb/` under the work folder).
    #[arg(long)]
    prepare: bool,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
    /// Internal: run the render floor on this knowledge base (see `floor`) …
    #[arg(long, hide = true)]
    floor_root: Option<PathBuf>,
    /// … into this folder.
    #[arg(long, hide = true)]
    floor_output: Option<PathBuf>,
    /// Only time the search on this built site (cold and warm, as a run does) and print it:
    /// for trying a change to the search without a whole run.
    #[arg(long, hide = true)]
    search_only: Option<PathBuf>,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    if let (Some(root), Some(output)) = (&args.floor_root, &args.floor_output) {
        render_floor(root, output);
        return;
    }
    if let Some(site) = &args.search_only {
        let t = browser_timings(site);
        println!(
            "cold first result {:.0} ms (runs {}), {} KB gzip before it; warm p50 {:.1} ms, p95 {:.1} ms",
            t.cold_ms,
            runs_text(&t.cold_runs),
            t.cold_gzip_bytes / 1000,
            t.warm_p50_ms,
            t.warm_p95_ms
        );
        return;
    }
    let generator = args.generator.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_corpus.py")
    });
    let sizes = if args.sizes.is_empty() {
        vec![1000, 10000]
    } else {
        args.sizes
    };
    let work = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    if args.prepare {
        for &n in &sizes {
            let kb = prepare(n, &generator, &work);
            eprintln!("{n} pages: {}", kb.display());
        }
        return;
    }
    let rows: Vec<Row> = sizes
        .iter()
        .map(|&n| measure(n, &generator, &work, args.keep))
        .collect();
    let table = table(&rows);
    println!("{table}");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus.md");
    fs::write(&out, &table).expect("write the table");
    eprintln!("written to {}", out.display());
}

/// Generates the corpus of `pages` pages under `work` and adapts it to our format: the
/// knowledge base's root, `policykb-bench-N/kb`. The average page length comes along.
fn prepare_with_length(pages: usize, generator: &Path, work: &Path) -> (PathBuf, usize) {
    let base = work.join(format!("policykb-bench-{pages}"));
    let _ = fs::remove_dir_all(&base);
    let raw = base.join("raw");
    let status = Command::new("python3")
        .arg(generator)
        .args([
            "--pages",
            &pages.to_string(),
            "--seed",
            "1",
            "--format",
            "plain",
            "--out",
        ])
        .arg(&raw)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs the corpus generator");
    assert!(status.success(), "corpus generator failed");
    let kb = base.join("kb");
    let average_chars = adapt(&raw, &kb);
    // /dev/shm is memory: at 100,000 pages every copy is most of a gigabyte.
    let _ = fs::remove_dir_all(&raw);
    (kb, average_chars)
}

fn prepare(pages: usize, generator: &Path, work: &Path) -> PathBuf {
    prepare_with_length(pages, generator, work).0
}

fn measure(pages: usize, generator: &Path, work: &Path, keep: bool) -> Row {
    let (kb, average_chars) = prepare_with_length(pages, generator, work);
    let base = work.join(format!("policykb-bench-{pages}"));
    let output = base.join("public");

    let unlinked = variant(&kb, &base, "unlinked", "autolink: false");
    let unlinked_output = base.join("public-unlinked");
    let floor_output = base.join("public-floor");
    let mut builds = Vec::new();
    let mut unlinked_runs = Vec::new();
    let mut floors = Vec::new();
    for _ in 0..RUNS {
        builds.push(timed_build(&kb, &output));
        unlinked_runs.push(timed_build(&unlinked, &unlinked_output).wall);
        floors.push(timed_floor(&kb, &floor_output));
    }
    let peak = builds.iter().filter_map(|m| m.rss_mib).reduce(f64::max);
    let runs: Vec<Duration> = builds.iter().map(|m| m.wall).collect();
    builds.sort_by_key(|m| m.wall);
    floors.sort_by_key(|m| m.wall);
    unlinked_runs.sort();
    let _ = fs::remove_dir_all(&floor_output);

    let search = output.join("search");
    let index_bytes: u64 = fs::read_dir(&search)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let postings_gzip = gzip_total(&search, "p-") + gzip_total(&search, "meta");
    let text_gzip = gzip_total(&search, "t-");
    let browser = browser_timings(&output);
    // The table shows the median; the spread says how far to trust it on a shared machine.
    eprintln!(
        "{pages} pages: cold first result {:.0} ms (runs {})",
        browser.cold_ms,
        runs_text(&browser.cold_runs)
    );
    let largest_query = largest_query_download(&output);
    let (rebuild_ms, reloaded_ms, title_edit_ms) = serve_latency(&kb);
    let extras = pages <= EXTRAS_UP_TO;
    let compressed = extras.then(|| compressed(&kb, &base));
    let elasticlunr = extras.then(|| {
        let exporting = variant(&kb, &base, "elasticlunr", "search: { elasticlunr: true }");
        let exported = base.join("public-elasticlunr");
        let measured = timed_build(&exporting, &exported);
        let bytes = fs::metadata(exported.join("search/elasticlunr-index.json"))
            .expect("the elasticlunr export")
            .len();
        (measured.wall, measured.rss_mib, bytes)
    });
    let html_bytes = bytes_of(&output, "html");
    let corpus_bytes = bytes_of(&kb.join("content"), "md");
    if !keep {
        let _ = fs::remove_dir_all(&base);
    }
    Row {
        pages,
        build_median: builds[RUNS / 2].wall,
        build_cpu: builds[RUNS / 2].cpu,
        build_runs: runs,
        unlinked_median: unlinked_runs[RUNS / 2],
        peak_rss_mib: peak,
        floor: floors[RUNS / 2],
        html_bytes,
        corpus_bytes,
        largest_query,
        index_bytes,
        postings_gzip,
        text_gzip,
        average_chars,
        cold_first_result_ms: browser.cold_ms,
        cold_gzip_bytes: browser.cold_gzip_bytes,
        warm_p50_ms: browser.warm_p50_ms,
        warm_p95_ms: browser.warm_p95_ms,
        rebuild_ms,
        reloaded_ms,
        title_edit_ms,
        compressed,
        elasticlunr,
    }
}

/// The total size of the files under `dir` whose names end in `.EXTENSION`.
fn bytes_of(dir: &Path, extension: &str) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == extension))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum()
}

/// A copy of the knowledge base at `base/kb-NAME` with `setting` added to its site.yaml.
fn variant(kb: &Path, base: &Path, name: &str, setting: &str) -> PathBuf {
    let copy = base.join(format!("kb-{name}"));
    let _ = fs::remove_dir_all(&copy);
    let status = Command::new("cp")
        .arg("-r")
        .arg(kb)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let config = copy.join("content/site.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\n{setting}\n")).unwrap();
    copy
}

/// The same knowledge base with `compress: true`: one build's time and the `.gz` bytes.
fn compressed(kb: &Path, base: &Path) -> (Duration, u64) {
    let copy = variant(kb, base, "compressed", "compress: true");
    let output = base.join("public-compressed");
    let elapsed = timed_build(&copy, &output).wall;
    (elapsed, bytes_of(&output, "gz"))
}

/// Rewrites the generator's `plain` layout into a policykb knowledge base; returns the
/// average body length in characters.
fn adapt(raw: &Path, kb: &Path) -> usize {
    let mut tags = BTreeSet::new();
    let mut chars = 0;
    let mut count = 0;
    for kind in ["responsibility", "problem", "countermeasure", "case"] {
        let from = raw.join("content").join(kind);
        let to = kb.join("content").join(kind);
        fs::create_dir_all(&to).unwrap();
        let mut files: Vec<_> = fs::read_dir(&from)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for (n, file) in files.iter().enumerate() {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with('_') {
                continue;
            }
            let text = fs::read_to_string(file).unwrap();
            let (front, body) = text[4..].split_once("\n---\n").expect("front matter");
            let mut lines: Vec<String> = Vec::new();
            for line in front.lines() {
                if let Some(rest) = line.strip_prefix("weight:") {
                    lines.push(format!("order:{rest}"));
                } else {
                    if let Some(list) = line.strip_prefix("tags:") {
                        let names: Vec<String> = serde_json::from_str(list.trim()).unwrap();
                        tags.extend(names);
                    }
                    lines.push(line.to_string());
                }
            }
            match kind {
                "problem" => lines.push(format!("level: {}", LEVELS[n % LEVELS.len()])),
                "case" => lines.push("place: 某地（合成语料）".to_string()),
                _ => {}
            }
            chars += body.chars().count();
            count += 1;
            fs::write(
                to.join(&name),
                format!("---\n{}\n---\n{body}", lines.join("\n")),
            )
            .unwrap();
        }
    }
    let mut config = String::from("title: 基准测试语料\nlevels:\n");
    for level in LEVELS {
        config += &format!("  - {{ slug: {level}, name: {level} }}\n");
    }
    config += "kinds:\n";
    for kind in ["responsibility", "problem", "countermeasure", "case"] {
        config += &format!("  - {{ slug: {kind}, folder: {kind}, name: {kind} }}\n");
    }
    config += "tags:\n";
    for tag in &tags {
        config += &format!("  - {{ slug: \"{tag}\", name: \"{tag}\" }}\n");
    }
    fs::write(kb.join("content/site.yaml"), config).unwrap();
    chars / count.max(1)
}

/// Runs `policykb build` once.
fn timed_build(kb: &Path, output: &Path) -> Measured {
    let mut command = Command::new(env!("CARGO_BIN_EXE_policykb"));
    command
        .arg("build")
        .arg("--root")
        .arg(kb)
        .arg("--output")
        .arg(output);
    timed(command)
}

/// Runs the render floor once, as its own process (this program with `--floor-root`), so
/// it is measured exactly as the builds are.
fn timed_floor(kb: &Path, output: &Path) -> Measured {
    let mut command = Command::new(std::env::current_exe().expect("the bench's own path"));
    command
        .arg("--floor-root")
        .arg(kb)
        .arg("--floor-output")
        .arg(output);
    timed(command)
}

/// Runs a command to success under /usr/bin/time where it exists (for CPU time and peak
/// RSS; else the CPU time is the wall time).
fn timed(command: Command) -> Measured {
    let use_time = Path::new("/usr/bin/time").exists();
    let mut command = if use_time {
        let mut timed = Command::new("/usr/bin/time");
        timed
            .args(["-f", "%U %S %M"])
            .arg(command.get_program())
            .args(command.get_args());
        timed
    } else {
        command
    };
    let started = Instant::now();
    let result = command.output().expect("the command runs");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        result.status.success(),
        "{:?} failed:\n{}",
        command.get_program(),
        stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let numbers: Vec<f64> = stderr
        .lines()
        .last()
        .filter(|_| use_time)
        .map(|l| {
            l.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match numbers[..] {
        [user, system, kib] => Measured {
            wall,
            cpu: Duration::from_secs_f64(user + system),
            rss_mib: Some(kib / 1024.0),
        },
        _ => Measured {
            wall,
            cpu: wall,
            rss_mib: None,
        },
    }
}

/// The render floor: what any generator must do for these pages and no more. Read every
/// Markdown file, strip its front matter, render the body with pulldown-cmark (tables,
/// footnotes, strikethrough, smart punctuation, as policykb enables) and write the HTML, on 2 threads.
fn render_floor(kb: &Path, output: &Path) {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(kb.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let _ = fs::remove_dir_all(output);
    fs::create_dir_all(output).expect("the floor's output folder");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("2 threads");
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    options.insert(pulldown_cmark::Options::ENABLE_FOOTNOTES);
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    options.insert(pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION);
    pool.install(|| {
        files.par_iter().enumerate().for_each(|(n, file)| {
            let text = fs::read_to_string(file).expect("read a page");
            let body = text
                .strip_prefix("---\n")
                .and_then(|rest| rest.split_once("\n---\n"))
                .map_or(text.as_str(), |(_, body)| body);
            let mut html = String::with_capacity(body.len() * 2);
            pulldown_cmark::html::push_html(
                &mut html,
                pulldown_cmark::Parser::new_ext(body, options),
            );
            fs::write(output.join(format!("{n}.html")), html).expect("write a page");
        });
    });
}

/// A new tab with `url` loaded.
fn fresh_tab(
    browser: &headless_chrome::Browser,
    url: &str,
) -> std::sync::Arc<headless_chrome::Tab> {
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(120));
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab
}

/// Fresh tabs timed for the cold first result: one sample on a shared machine is noise.
const COLD_RUNS: usize = 5;

/// Cold: open the home page from file:// in a fresh tab, then time the first query (first
/// 8 results, as the type-ahead box asks) including loading the index files it needs and
/// the text of the first 8 results (what the type-ahead box shows); the median of
/// `COLD_RUNS` tabs, and the index files that query loaded. Warm: after one round that
/// loads what each query needs, every query of the list 5 times (first 50 results, as the
/// search page asks); p50 and p95.
fn browser_timings(site: &Path) -> BrowserTimings {
    let browser = chromium();
    let url = format!("file://{}/index.html", site.display());
    let open_home = || fresh_tab(&browser, &url);
    let cold_js = format!(
        "(async () => {{ const t0 = performance.now(); \
           const found = await PolicykbSearch.query({}, null, 8); \
           await PolicykbSearch.withText(found.results.slice(0, 8).map(r => r.doc)); \
           const ms = performance.now() - t0; \
           const files = PolicykbSearch.loaded().map(n => 'search/' + PolicykbIndex.fileName(n)); \
           return JSON.stringify({{ ms, files }}); }})()",
        serde_json::to_string(QUERIES[0]).unwrap()
    );
    let mut cold_runs = Vec::new();
    let mut cold_files = serde_json::Value::Null;
    for _ in 0..COLD_RUNS {
        let tab = open_home();
        let cold: serde_json::Value = serde_json::from_str(
            tab.evaluate(&cold_js, true)
                .unwrap()
                .value
                .unwrap()
                .as_str()
                .unwrap(),
        )
        .unwrap();
        cold_runs.push(cold["ms"].as_f64().unwrap_or(f64::NAN));
        cold_files = cold["files"].clone();
        let _ = tab.close(true);
    }
    let tab = open_home();
    let warm_js = format!(
        "(async () => {{ const times = []; const queries = {}; \
           for (const q of queries) await PolicykbSearch.query(q, null, 50); \
           for (let r = 0; r < 5; r++) for (const q of queries) {{ \
           const t0 = performance.now(); await PolicykbSearch.query(q, null, 50); times.push(performance.now() - t0); }} \
           return JSON.stringify(times.sort((a, b) => a - b)); }})()",
        serde_json::to_string(&QUERIES).unwrap()
    );
    let value = tab.evaluate(&warm_js, true).unwrap().value.unwrap();
    let times: Vec<f64> = serde_json::from_str(value.as_str().unwrap()).unwrap();
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let files: Vec<PathBuf> = cold_files
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str().map(|n| site.join(n)))
        .collect();
    let mut sorted = cold_runs.clone();
    sorted.sort_by(f64::total_cmp);
    BrowserTimings {
        cold_ms: sorted[COLD_RUNS / 2],
        cold_runs,
        cold_gzip_bytes: files.iter().map(|f| gzip_size(f)).sum(),
        warm_p50_ms: pick(0.5),
        warm_p95_ms: pick(0.95),
    }
}

/// Queries of every class the search treats differently, for the largest download: one
/// Han character, two, a phrase, Latin letters (pinyin), a typo, and the timed list.
const DOWNLOAD_QUERIES: [&str; 6] = ["责", "党建", "\"落实主体责任\"", "zeren", "一刚双责", "oa"];

/// For each query, in a fresh tab: the bytes of the index files it loads (the search
/// page's first 50 results, and the text of the first 8 shown); the largest, with its query.
fn largest_query_download(site: &Path) -> (u64, String) {
    let browser = chromium();
    let url = format!("file://{}/index.html", site.display());
    let names = "return JSON.stringify(PolicykbSearch.loaded().map(n => 'search/' + PolicykbIndex.fileName(n)));";
    let mut largest = (0, String::new());
    for query in DOWNLOAD_QUERIES.iter().chain(QUERIES.iter()) {
        let tab = fresh_tab(&browser, &url);
        let js = format!(
            "(async () => {{ const found = await PolicykbSearch.query({}, null, 50); \
               await PolicykbSearch.withText(found.results.slice(0, 8).map(r => r.doc)); {names} }})()",
            serde_json::to_string(query).unwrap()
        );
        let value = tab.evaluate(&js, true).unwrap().value.unwrap();
        let files: Vec<String> = serde_json::from_str(value.as_str().unwrap()).unwrap();
        let bytes = files
            .iter()
            .map(|f| fs::metadata(site.join(f)).map_or(0, |m| m.len()))
            .sum();
        if bytes > largest.0 {
            largest = (bytes, query.to_string());
        }
        let _ = tab.close(true);
    }
    largest
}

struct BrowserTimings {
    /// The median of `cold_runs`.
    cold_ms: f64,
    cold_runs: Vec<f64>,
    cold_gzip_bytes: u64,
    warm_p50_ms: f64,
    warm_p95_ms: f64,
}

/// The size of a file gzipped at level 6 (what web servers use by default).
fn gzip_size(path: &Path) -> u64 {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder
        .write_all(&fs::read(path).expect("read"))
        .expect("gzip");
    encoder.finish().expect("gzip").len() as u64
}

/// Sum of the gzipped sizes of files under `dir` whose name starts with `prefix`.
fn gzip_total(dir: &Path, prefix: &str) -> u64 {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    // One gzip stream per file, as a web server sends them.
    files.iter().map(|f| gzip_size(f)).sum()
}

/// Starts `policykb serve` on the corpus, opens one page in Chromium, then five times appends
/// a line to that page's file and measures (a) until the server reports the rebuild on its
/// event stream, (b) until the tab has reloaded the page (its load event, by the browser's clock).
fn serve_latency(kb: &Path) -> (f64, f64, f64) {
    use std::io::{BufRead, BufReader, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(["serve", "--port", "0", "--root"])
        .arg(kb)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("policykb serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let address = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut events = std::net::TcpStream::connect(&address).unwrap();
    write!(
        events,
        "GET /__policykb/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(events);
    let mut next_status = move || loop {
        let mut line = String::new();
        events.read_line(&mut line).unwrap();
        if line.starts_with("data:") {
            return Instant::now();
        }
    };
    next_status(); // the current status, sent on connect

    let file = kb.join("content/problem/prob-00001.md");
    let original = fs::read_to_string(&file).unwrap();
    let browser = chromium();
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("{base}problem/prob-00001.html"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut rebuilds = Vec::new();
    let mut reloads = Vec::new();
    for round in 0..5 {
        let marker = format!("修订标记{round}");
        let saved_at = std::time::SystemTime::now();
        let started = Instant::now();
        fs::write(&file, format!("{original}\n\n{marker}\n")).unwrap();
        rebuilds.push((next_status() - started).as_secs_f64() * 1000.0);
        let check = format!(
            "document.body && document.body.textContent.includes('{marker}') && document.readyState === 'complete' \
             ? performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd : 0"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let loaded_at = loop {
            let value = tab
                .evaluate(&check, false)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            if value > 0.0 || Instant::now() > deadline {
                break value;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let saved_ms = saved_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0;
        reloads.push(loaded_at - saved_ms);
        std::thread::sleep(Duration::from_millis(300));
    }
    fs::write(&file, original).unwrap();
    next_status();
    // A front-matter edit: a case's title, shown on the pages that list the case.
    let case = kb.join("content/case/case-00001.md");
    let original_case = fs::read_to_string(&case).unwrap();
    let mut title_edits = Vec::new();
    for round in 0..5 {
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        fs::write(
            &case,
            original_case.replacen("title: \"", &format!("title: \"（修订{round}）"), 1),
        )
        .unwrap();
        title_edits.push((next_status() - started).as_secs_f64() * 1000.0);
    }
    fs::write(&case, original_case).unwrap();
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    (median(rebuilds), median(reloads), median(title_edits))
}

/// Debian's headless Chromium.
fn chromium() -> Browser {
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from("/usr/bin/chromium")))
        .headless(true)
        .sandbox(false)
        .idle_browser_timeout(Duration::from_secs(300))
        .args(vec![
            std::ffi::OsStr::new("--disable-gpu"),
            std::ffi::OsStr::new("--disable-quic"),
        ])
        .build()
        .unwrap();
    Browser::new(options).expect("Chromium starts")
}

/// `154 / 339 / 301`: each run's milliseconds.
fn runs_text(runs: &[f64]) -> String {
    let runs: Vec<String> = runs.iter().map(|ms| format!("{ms:.0}")).collect();
    runs.join(" / ")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn table(rows: &[Row]) -> String {
    let mut out = Vec::new();
    let machine = machine();
    writeln!(
        out,
        "policykb corpus benchmark on {machine}; median of {RUNS} builds, output on /dev/shm\n"
    )
    .unwrap();
    writeln!(
        out,
        "| pages | build s (median) | runs s | CPU s | render floor s | floor CPU s | CPU ÷ floor CPU \
         | autolink: false build s | glossary's share % | peak RSS MiB | Markdown MB | HTML MB \
         | search files MB | index gzip B/page \
         | text gzip B/page | avg chars/page | cold first result ms | loaded before first result KB gzip \
         | warm p50 ms | warm p95 ms | largest query download MB | serve: save → rebuilt ms | save → page reloaded ms \
         | title edit → rebuilt ms | compress: true build s | .gz MB \
         | elasticlunr: true build s | its peak RSS MiB | elasticlunr-index.json MB |"
    )
    .unwrap();
    writeln!(out, "|{}", "---:|".repeat(29)).unwrap();
    let or_dash = |value: Option<String>| value.unwrap_or_else(|| "—".into());
    for r in rows {
        let runs: Vec<String> = r
            .build_runs
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect();
        writeln!(
            out,
            "| {} | {:.2} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.2} | {:+.1} | {} | {:.0} | {:.0} | {:.1} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} ({}) | {:.0} | {:.0} | {:.0} | {} | {} | {} | {} | {} |",
            r.pages,
            r.build_median.as_secs_f64(),
            runs.join(" / "),
            r.build_cpu.as_secs_f64(),
            r.floor.wall.as_secs_f64(),
            r.floor.cpu.as_secs_f64(),
            r.build_cpu.as_secs_f64() / r.floor.cpu.as_secs_f64().max(0.001),
            r.unlinked_median.as_secs_f64(),
            (r.build_median.as_secs_f64() / r.unlinked_median.as_secs_f64() - 1.0) * 100.0,
            r.peak_rss_mib.map_or("n/a".into(), |m| format!("{m:.0}")),
            r.corpus_bytes as f64 / 1e6,
            r.html_bytes as f64 / 1e6,
            r.index_bytes as f64 / 1e6,
            r.postings_gzip / r.pages as u64,
            r.text_gzip / r.pages as u64,
            r.average_chars,
            r.cold_first_result_ms,
            r.cold_gzip_bytes as f64 / 1024.0,
            r.warm_p50_ms,
            r.warm_p95_ms,
            r.largest_query.0 as f64 / 1e6,
            r.largest_query.1,
            r.rebuild_ms,
            r.reloaded_ms,
            r.title_edit_ms,
            or_dash(r.compressed.map(|(d, _)| format!("{:.2}", d.as_secs_f64()))),
            or_dash(r.compressed.map(|(_, b)| format!("{:.1}", b as f64 / 1e6))),
            or_dash(r.elasticlunr.map(|(d, _, _)| format!("{:.2}", d.as_secs_f64()))),
            or_dash(r.elasticlunr.and_then(|(_, m, _)| m).map(|m| format!("{m:.0}"))),
            or_dash(r.elasticlunr.map(|(_, _, b)| format!("{:.1}", b as f64 / 1e6))),
        )
        .unwrap();
    }
    for pair in rows.windows(2) {
        let (small, large) = (&pair[0], &pair[1]);
        let times = |a: f64, b: f64| b / a;
        writeln!(
            out,
            "\n{} → {} pages ({:.1}× the pages): build ×{:.2}, CPU ×{:.2}, peak RSS ×{}, Markdown ×{:.2}",
            small.pages,
            large.pages,
            large.pages as f64 / small.pages as f64,
            times(small.build_median.as_secs_f64(), large.build_median.as_secs_f64()),
            times(small.build_cpu.as_secs_f64(), large.build_cpu.as_secs_f64()),
            match (small.peak_rss_mib, large.peak_rss_mib) {
                (Some(a), Some(b)) => format!("{:.2}", b / a),
                _ => "n/a".into(),
            },
            times(small.corpus_bytes as f64, large.corpus_bytes as f64),
        )
        .unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}
