//! `policykb serve` as an author uses it: start it on a free port, fetch pages, edit files and
//! watch the rebuild and reload signal arrive, break a file and see the error payload, fix it,
//! and try to read files outside the site.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::Fixture;

/// A running `policykb serve`, stopped with SIGINT (as Ctrl-C) when dropped.
struct Server {
    child: Child,
    base: String,
    site: std::path::PathBuf,
}

impl Server {
    fn start(fixture: &Fixture) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_policykb"));
        command
            .args(["serve", "--port", "0", "--root"])
            .arg(&fixture.root);
        Server::spawn(command)
    }

    /// `policykb serve` as the guide says to start it: in the knowledge base, no `--root`.
    fn start_inside(fixture: &Fixture) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_policykb"));
        command
            .args(["serve", "--port", "0"])
            .current_dir(&fixture.root);
        Server::spawn(command)
    }

    fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("URL printed")
            .to_string();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        let site = line
            .trim()
            .strip_prefix("preview folder: ")
            .expect("preview folder printed")
            .into();
        Server { child, base, site }
    }

    fn address(&self) -> &str {
        self.base
            .trim_start_matches("http://")
            .trim_end_matches('/')
    }

    /// The temporary folder the site is served from.
    fn site_folder(&self) -> std::path::PathBuf {
        self.site.clone()
    }

    /// Sends `GET <target>` exactly as given (no normalisation); returns status, head, body.
    fn get(&self, target: &str) -> (u16, String, String) {
        self.get_with_host(target, self.address())
    }

    fn get_with_host(&self, target: &str, host: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(self.address()).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_ascii_lowercase(), body.to_string())
    }

    /// Subscribes to the build-status stream; each `data:` line arrives as JSON.
    fn events(&self) -> mpsc::Receiver<serde_json::Value> {
        let (sender, receiver) = mpsc::channel();
        let mut stream = TcpStream::connect(self.address()).unwrap();
        write!(
            stream,
            "GET /__policykb/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address()
        )
        .unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Some(data) = line.strip_prefix("data:") {
                    if let Ok(value) = serde_json::from_str(data.trim()) {
                        if sender.send(value).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        receiver
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

/// The next status for which `wanted` holds, within ten seconds.
fn wait_for(
    events: &mpsc::Receiver<serde_json::Value>,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(status) if wanted(&status) => return status,
            Ok(_) => continue,
            Err(_) => panic!("no matching build status within 10 s"),
        }
    }
}

#[test]
fn serves_the_site_on_loopback_with_the_reload_script_and_right_types() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    let (status, head, body) = server.get("/problems/formalism.html");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<h1>工作推进形式化</h1>"));
    assert!(
        body.contains("/__policykb/reload.js"),
        "reload script not injected"
    );
    let (status, head, _) = server.get("/search/meta.js");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/javascript"), "{head}");
    let style = common::hashed(&server.site, "static/style.css");
    let (_, head, _) = server.get(&format!("/{style}"));
    assert!(head.contains("content-type: text/css"), "{head}");
    // Serving writes nothing into the knowledge base.
    assert!(!f.root.join("public").exists());
    // The reload script is a serve-only addition: a normal build does not carry it.
    f.build().unwrap();
    assert!(!f.read("problems/formalism.html").contains("__policykb"));
}

#[test]
fn an_edit_rebuilds_and_signals_reload() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let events = server.events();
    let first = wait_for(&events, |_| true);
    let version = first["version"].as_u64().unwrap();
    f.write(
        "content/problems/formalism.md",
        &std::fs::read_to_string(f.root.join("content/problems/formalism.md"))
            .unwrap()
            .replace("title: 工作推进形式化", "title: 工作推进形式化（修订）"),
    );
    let next = wait_for(&events, |s| s["version"].as_u64() > Some(version));
    assert!(next["errors"].as_array().unwrap().is_empty());
    let (_, _, body) = server.get("/problems/formalism.html");
    assert!(body.contains("工作推进形式化（修订）"), "page not rebuilt");
}

/// Replaces `from` by `to` in a file of the fixture.
fn edit(f: &Fixture, path: &str, from: &str, to: &str) {
    let file = f.root.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} does not contain {from}");
    f.write(path, &text.replacen(from, to, 1));
}

/// Waits for the next successful build and checks which pages were updated one by one
/// (empty: a full build), then that the served site is exactly what a full build writes.
fn expect_update(
    f: &Fixture,
    server: &Server,
    events: &mpsc::Receiver<serde_json::Value>,
    after: u64,
    updated: &[&str],
) -> u64 {
    let status = wait_for(events, |s| s["version"].as_u64() > Some(after));
    assert!(status["errors"].as_array().unwrap().is_empty(), "{status}");
    assert_eq!(status["updated"], serde_json::json!(updated), "{status}");
    let full = f.root.join(format!("full-build-{after}"));
    f.build_into(&full).unwrap();
    wait_for_manifest(&server.site_folder(), &full);
    common::assert_same_tree(&server.site_folder(), &full);
    status["version"].as_u64().unwrap()
}

/// Waits until the served site's manifest is the one `full` has: the server writes it just
/// after it has told the tabs (a 14 MB file at 100,000 pages). A file, so by polling.
fn wait_for_manifest(site: &std::path::Path, full: &std::path::Path) {
    let name = ".policykb-output";
    let wanted = std::fs::read(full.join(name)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read(site.join(name)).ok().as_ref() != Some(&wanted) {
        assert!(
            Instant::now() < deadline,
            "the served site's manifest is not the full build's within 10 s"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// Adds a sentence to one page's text and checks it was updated alone, as a full build would.
fn edit_text_and_expect_update(
    f: &Fixture,
    server: &Server,
    events: &mpsc::Receiver<serde_json::Value>,
    after: u64,
) -> u64 {
    add_sentence(f);
    expect_update(f, server, events, after, &["problems/formalism.md"])
}

/// Adds a sentence (with 文山会海) to the text of problems/formalism.md.
fn add_sentence(f: &Fixture) {
    edit(
        f,
        "content/problems/formalism.md",
        "耗费人力。",
        "耗费人力，还出现了“文山会海”的新说法。",
    );
}

/// A server on the valid fixture, its event stream, and the version it has built.
fn started() -> (Fixture, Server, mpsc::Receiver<serde_json::Value>, u64) {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    (f, server, events, version)
}

#[test]
fn a_text_edit_updates_that_page_and_its_search_files() {
    let (f, server, events, version) = started();
    edit_text_and_expect_update(&f, &server, &events, version);
    assert!(server
        .get("/problems/formalism.html")
        .2
        .contains("文山会海"));
}

#[test]
fn a_title_edit_updates_the_pages_that_list_the_page() {
    let (f, server, events, version) = started();
    edit(
        &f,
        "content/cases/anyang.md",
        "title: 某地做法",
        "title: 某地新做法",
    );
    expect_update(&f, &server, &events, version, &["cases/anyang.md"]);
    assert!(server
        .get("/problems/%E9%97%AE%E8%B4%A3%E4%B8%8D%E5%8A%9B.html")
        .2
        .contains("某地新做法"));
}

#[test]
fn a_summary_edit_updates_the_glossary_card_that_shows_it() {
    let (f, server, events, version) = started();
    edit(
        &f,
        "content/responsibilities/principal.md",
        "summary: 党委的责任。",
        "summary: 党委的全面责任。",
    );
    expect_update(
        &f,
        &server,
        &events,
        version,
        &["responsibilities/principal.md"],
    );
    let search = server.site_folder().join("search");
    let cards: Vec<String> = std::fs::read_dir(&search)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("c-"))
        .collect();
    assert_eq!(cards.len(), 1, "{cards:?}");
    let card_file = std::fs::read_to_string(search.join(&cards[0])).unwrap();
    assert!(
        card_file.contains("主体责任：党委的全面责任。"),
        "{card_file}"
    );
    let list = std::fs::read_to_string(search.join("cards.js")).unwrap();
    assert!(list.contains(&cards[0]), "{list}");
}

#[test]
fn a_text_edit_leaves_the_elasticlunr_export_to_full_builds() {
    let f = Fixture::valid();
    let config = f.read_source("content/site.yaml");
    f.write(
        "content/site.yaml",
        &format!("{config}\nsearch: {{ elasticlunr: true }}\n"),
    );
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    let export = server.site_folder().join("search/elasticlunr-index.json");
    let before = std::fs::read(&export).unwrap();
    add_sentence(&f);
    let status = wait_for(&events, |s| s["version"].as_u64() > Some(version));
    assert_eq!(
        status["updated"],
        serde_json::json!(["problems/formalism.md"]),
        "{status}"
    );
    assert_eq!(
        std::fs::read(&export).unwrap(),
        before,
        "rewritten on a save"
    );
    assert!(server
        .get("/problems/formalism.html")
        .2
        .contains("文山会海"));
}

#[test]
fn a_new_reference_puts_the_page_into_the_back_links_it_now_names() {
    let (f, server, events, version) = started();
    edit(
        &f,
        "content/cases/anyang.md",
        "problems: [问责不力]",
        "problems: [问责不力, formalism]",
    );
    expect_update(&f, &server, &events, version, &["cases/anyang.md"]);
    assert!(server
        .get("/problems/formalism.html")
        .2
        .contains("某地做法"));
}

#[test]
fn a_new_tag_changes_what_every_page_shows_so_it_is_a_full_build() {
    let (f, server, events, version) = started();
    edit(
        &f,
        "content/countermeasures/lists.md",
        "problems:",
        "tags: [formalism]\nproblems:",
    );
    expect_update(&f, &server, &events, version, &[]);
}

#[test]
fn a_problem_title_is_on_the_map_of_every_page_so_it_is_a_full_build() {
    let (f, server, events, version) = started();
    edit(
        &f,
        "content/problems/formalism.md",
        "title: 工作推进形式化",
        "title: 工作推进形式化（二）",
    );
    expect_update(&f, &server, &events, version, &[]);
    assert!(server
        .get("/countermeasures/lists.html")
        .2
        .contains("工作推进形式化（二）"));
}

#[test]
fn a_changed_heading_that_another_page_links_to_is_reported() {
    let (f, server, events, version) = started();
    // formalism.md links to 问责不力.md#危害; renaming that heading breaks the link.
    edit(&f, "content/problems/问责不力.md", "## 危害", "## 后果");
    let status = wait_for(&events, |s| !s["errors"].as_array().unwrap().is_empty());
    let errors = status["errors"].to_string();
    assert!(
        errors.contains("content/problems/formalism.md:14:10"),
        "{errors}"
    );
    assert!(errors.contains("link to `#危害`"), "{errors}");
    assert_eq!(status["version"].as_u64(), Some(version));
    let _ = server;
}

#[test]
fn a_broken_reference_in_an_edit_is_reported_and_the_site_kept() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    edit(
        &f,
        "content/cases/anyang.md",
        "problems: [问责不力]",
        "problems: [问责不利]",
    );
    let failed = wait_for(&events, |s| !s["errors"].as_array().unwrap().is_empty());
    assert!(
        failed["errors"]
            .to_string()
            .contains("content/cases/anyang.md:6"),
        "{failed}"
    );
    assert!(server
        .get("/cases/anyang.html")
        .2
        .contains("../problems/问责不力.html"));
    edit(
        &f,
        "content/cases/anyang.md",
        "problems: [问责不利]",
        "problems: [问责不力]",
    );
    // After a failure the next build is a full one, so no other error can hide.
    expect_update(&f, &server, &events, version, &[]);
}

#[test]
fn a_broken_file_shows_errors_keeps_the_last_good_site_and_recovers() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();

    f.write(
        "content/cases/bad.md",
        "---\ntitle: 坏\nsummary: x\nplace: 某地\nproblems: [nope]\n---\n",
    );
    let failed = wait_for(&events, |s| !s["errors"].as_array().unwrap().is_empty());
    let errors = failed["errors"].to_string();
    assert!(errors.contains("content/cases/bad.md:5"), "{errors}");
    assert!(errors.contains("nope"), "{errors}");
    // The last good site is still served.
    let (status, _, body) = server.get("/problems/formalism.html");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>工作推进形式化</h1>"));
    assert_eq!(server.get("/cases/bad.html").0, 404);

    // A new tab sees the failure at once.
    let late = server.events();
    assert!(!wait_for(&late, |_| true)["errors"]
        .as_array()
        .unwrap()
        .is_empty());

    std::fs::remove_file(f.root.join("content/cases/bad.md")).unwrap();
    let fixed = wait_for(&events, |s| s["errors"].as_array().unwrap().is_empty());
    assert!(fixed["version"].as_u64().unwrap() > version);
}

#[test]
fn a_burst_of_saves_is_one_rebuild_and_css_changes_are_marked() {
    let f = Fixture::valid();
    f.write("static/extra.css", "body { color: black; }");
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    for i in 0..6 {
        f.write(
            &format!("content/pages/note-{i}.md"),
            &format!("---\ntitle: 说明{i}\n---\n\n正文。\n"),
        );
    }
    // Count the builds until the one that has every file of the burst. A loaded machine may
    // split the burst once; one build per file would be six.
    let mut builds = 0;
    loop {
        wait_for(&events, |s| s["version"].as_u64() > Some(version));
        builds += 1;
        if (0..6).all(|i| server.get(&format!("/pages/note-{i}.html")).0 == 200) {
            break;
        }
    }
    assert!(builds <= 2, "{builds} rebuilds for one burst");

    f.write("static/extra.css", "body { color: navy; }");
    let styled = wait_for(&events, |s| s["css_only"] == true);
    assert!(styled["errors"].as_array().unwrap().is_empty());
    assert!(server.get("/static/extra.css").2.contains("navy"));
}

#[test]
fn requests_for_files_outside_the_site_are_refused() {
    let f = Fixture::valid();
    f.write("secret.txt", "TOP-SECRET");
    let server = Server::start(&f);
    assert_eq!(server.get("/index.html").0, 200);
    for target in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/static/..%2f..%2f..%2fetc/passwd",
        "/static/..%5c..%5csecret.txt",
        "//etc/passwd",
        "/%00",
    ] {
        let (status, _, body) = server.get(target);
        assert!(
            matches!(status, 400 | 403 | 404),
            "{target}: status {status}"
        );
        assert!(
            !body.contains("root:") && !body.contains("TOP-SECRET"),
            "{target} leaked a file"
        );
    }
    // A symlink inside the served folder that points out of it is refused too.
    let link = server.site_folder().join("escape.txt");
    std::os::unix::fs::symlink(f.root.join("secret.txt"), &link).unwrap();
    let (status, _, body) = server.get("/escape.txt");
    assert_eq!(status, 403);
    assert!(!body.contains("TOP-SECRET"));
    // No directory listings.
    let (status, _, body) = server.get("/static/");
    assert_eq!(status, 404, "{body}");
}

mod browser;

#[test]
fn the_open_tab_shows_the_error_overlay_and_reloads_when_fixed() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    browser::open(&tab, &format!("{}problems/formalism.html", server.base));
    // The page listens for builds once its event stream has delivered the current status.
    browser::wait_for(
        &tab,
        "document.documentElement.hasAttribute('data-policykb-connected')",
    );

    f.write(
        "content/cases/bad.md",
        "---\ntitle: 坏\nsummary: x\nplace: 某地\nproblems: [nope]\n---\n",
    );
    let overlay = browser::wait_for(
        &tab,
        "document.getElementById('policykb-error-overlay')?.textContent || ''",
    );
    let overlay = overlay.as_str().unwrap();
    assert!(overlay.contains("content/cases/bad.md:5"), "{overlay}");
    // The page under the overlay is still the last good one.
    assert_eq!(
        browser::eval(&tab, "document.querySelector('h1').textContent"),
        "工作推进形式化"
    );

    std::fs::remove_file(f.root.join("content/cases/bad.md")).unwrap();
    let file = f.root.join("content/problems/formalism.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("title: 工作推进形式化", "title: 工作推进形式化（新）"),
    )
    .unwrap();
    browser::wait_for(
        &tab,
        "document.querySelector('h1')?.textContent === '工作推进形式化（新）'",
    );
    assert_eq!(
        browser::eval(
            &tab,
            "document.getElementById('policykb-error-overlay') === null"
        ),
        true
    );
}

#[test]
fn the_preview_folder_is_private_and_removed_on_sigterm() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::valid();
    let mut server = Server::start(&f);
    let preview = server.site_folder().parent().unwrap().to_path_buf();
    assert!(preview
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("policykb-serve-"));
    let mode = std::fs::metadata(&preview).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "preview folder mode {mode:o}");
    Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!preview.exists(), "{} left behind", preview.display());
}

#[test]
fn when_the_first_build_fails_every_page_shows_the_errors() {
    let f = Fixture::valid();
    f.write(
        "content/cases/bad.md",
        "---\ntitle: 坏\nsummary: x\nplace: 某地\nproblems: [nope]\n---\n",
    );
    let server = Server::start(&f);
    let (status, _, body) = server.get("/");
    assert_eq!(status, 404);
    assert!(body.contains("构建失败"), "{body}");
    assert!(body.contains("content/cases/bad.md:5"), "{body}");
    assert!(body.contains("/__policykb/reload.js"), "{body}");
}

#[test]
fn a_missing_page_gets_a_404_page_with_a_way_home() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let (status, head, body) = server.get("/problems/nowhere.html");
    assert_eq!(status, 404);
    assert!(head.contains("text/html"), "{head}");
    // The site's own 404 page (written by the build), not a stand-in.
    assert!(body.contains("它可能已改名或删除"), "{body}");
    assert!(body.contains("data-home"), "{body}");
}

#[test]
fn a_request_target_without_a_leading_slash_is_a_bad_request() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    assert_eq!(server.get("index.html").0, 400);
}

#[test]
fn only_loopback_host_names_are_served() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let port = server.address().rsplit(':').next().unwrap().to_string();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(server.get_with_host("/index.html", &host).0, 200, "{host}");
    }
    let (status, _, body) = server.get_with_host("/index.html", "attacker.example");
    assert_eq!(status, 403);
    assert!(!body.contains("<html"), "{body}");
}

#[test]
fn a_content_folder_deleted_and_restored_is_watched_again() {
    let f = Fixture::valid();
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    let content = f.root.join("content");
    let backup = f.root.join("backup");
    common::copy_tree(&content, &backup);
    std::fs::remove_dir_all(&content).unwrap();
    wait_for(&events, |s| !s["errors"].as_array().unwrap().is_empty());
    common::copy_tree(&backup, &content);
    let restored = wait_for(&events, |s| s["errors"].as_array().unwrap().is_empty());
    assert!(restored["version"].as_u64() > Some(version));
    // Later edits are seen.
    edit(
        &f,
        "content/problems/formalism.md",
        "耗费人力",
        "耗费大量人力",
    );
    wait_for(&events, |s| {
        s["version"].as_u64() > restored["version"].as_u64()
    });
    assert!(server
        .get("/problems/formalism.html")
        .2
        .contains("耗费大量人力"));
}

#[test]
fn with_compressed_copies_an_edit_updates_them_too() {
    let f = Fixture::valid();
    f.write(
        "content/site.yaml",
        &format!("{}\ncompress: true\n", common::site_yaml()),
    );
    let server = Server::start(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    assert!(server
        .site_folder()
        .join("problems/formalism.html.gz")
        .is_file());
    edit_text_and_expect_update(&f, &server, &events, version);
}

#[test]
fn started_inside_the_knowledge_base_without_root_a_save_rebuilds() {
    let f = Fixture::valid();
    let server = Server::start_inside(&f);
    let events = server.events();
    let version = wait_for(&events, |_| true)["version"].as_u64().unwrap();
    edit_text_and_expect_update(&f, &server, &events, version);
}
