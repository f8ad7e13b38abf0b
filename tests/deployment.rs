//! Updating a deployed site: two builds share every file that did not change, never reuse
//! an asset's name for other contents, and a browser that cached the first build searches
//! the second one correctly.

mod browser;
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use browser::{eval, open, results, Server};
use common::Fixture;

/// Every file of a built site with its contents, by path.
fn files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    common::tree(site).into_iter().collect()
}

/// Names that stay the same from build to build (and are served to be checked each time):
/// pages, `search/meta.js` and `search/cards.js` (which list the other search files), and the
/// manifest. Everything else is named after its contents.
fn is_entry_point(path: &str) -> bool {
    path.ends_with(".html")
        || ["search/meta.js", "search/cards.js", ".policykb-output"].contains(&path)
}

fn edit_one_page_text(f: &Fixture) {
    let path = "content/problems/formalism.md";
    let text = f.read_source(path);
    f.write(
        path,
        &format!("{text}\n另有一段新写的文字：数字化督办台账。\n"),
    );
}

#[test]
fn two_builds_differ_only_in_the_files_that_had_to_change_and_never_reuse_an_asset_name() {
    let f = Fixture::valid();
    f.build().unwrap();
    let first = files(&f.output());
    edit_one_page_text(&f);
    f.build().unwrap();
    let second = files(&f.output());

    let changed: Vec<&String> = second
        .iter()
        .filter(|(path, contents)| first.get(*path) != Some(contents))
        .map(|(path, _)| path)
        .collect();
    // The page, the document of every page, the search files of its text, the manifest.
    for path in &changed {
        let allowed = [
            "problems/formalism.html",
            "print.html",
            "search/meta.js",
            ".policykb-output",
        ]
        .contains(&path.as_str())
            || path.starts_with("search/");
        assert!(allowed, "{path} changed although only one page's text did");
    }
    assert!(
        changed.iter().any(|p| p.starts_with("search/t-")),
        "{changed:?}"
    );
    assert!(
        !changed.iter().any(|p| p.starts_with("static/")),
        "{changed:?}"
    );

    // A name is never reused for other contents, except the entry points.
    for (path, contents) in &second {
        if let Some(before) = first.get(path) {
            assert!(
                before == contents || is_entry_point(path),
                "{path} kept its name with new contents"
            );
        }
    }
    // Every asset a page of either build names exists in that build.
    for build in [&first, &second] {
        for (path, contents) in build.iter().filter(|(p, _)| p.ends_with(".html")) {
            let text = String::from_utf8_lossy(contents);
            for asset in text
                .split(['"', '\''])
                .filter(|s| s.contains("static/") && (s.ends_with(".css") || s.ends_with(".js")))
            {
                let target = asset.trim_start_matches("../");
                assert!(
                    build.contains_key(target),
                    "{path} names {asset}, not in its build"
                );
            }
        }
    }
}

#[test]
fn a_browser_that_cached_the_previous_build_searches_the_new_one_correctly() {
    let f = Fixture::valid();
    let www = browser::build_site(&f.root, "update");
    let server = Server::start(www.clone());
    let chromium = browser::browser();
    let tab = chromium.new_tab().unwrap();
    // Every script error and failed load of every document, kept for the end.
    tab.call_method(headless_chrome::protocol::cdp::Page::AddScriptToEvaluateOnNewDocument {
        source: "window.__errors = []; addEventListener('error', (e) => __errors.push(String(e.message || (e.target && (e.target.src || e.target.href)))), true); addEventListener('unhandledrejection', (e) => __errors.push(String(e.reason)));".into(),
        world_name: None,
        include_command_line_api: None,
        run_immediately: None,
    })
    .unwrap();
    let query = |q: &str| {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        format!("{}search.html?q={encoded}", server.base_url)
    };
    open(&tab, &query("形式化"));
    assert!(results(&tab).contains(&"problems/formalism.html".to_string()));
    let style = common::hashed(&browser::site_folder(&www), "static/style.css");
    let requested = |path: &str| {
        let wanted = format!("{}{path}", browser::SUB_PATH);
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| **r == wanted)
            .count()
    };
    assert_eq!(requested(&style), 1);

    // The IT department rebuilds the site in place with one page's text changed.
    edit_one_page_text(&f);
    let options = policykb::BuildOptions {
        root: f.root.clone(),
        output: Some(browser::site_folder(&www)),
        pdf_browser: None,
    };
    policykb::build(&options).unwrap();

    // The reader comes back: the page is new, the unchanged stylesheet comes from the cache,
    // and the search finds the new words without asking for a file that is gone.
    open(&tab, &query("数字化督办台账"));
    assert_eq!(
        results(&tab).first().map(String::as_str),
        Some("problems/formalism.html")
    );
    assert_eq!(eval(&tab, "window.__errors"), serde_json::json!([]));
    open(&tab, &query("形式化"));
    assert!(results(&tab).contains(&"problems/formalism.html".to_string()));
    assert_eq!(eval(&tab, "window.__errors"), serde_json::json!([]));
    assert_eq!(
        requested(&style),
        1,
        "the unchanged stylesheet was fetched again"
    );
    assert!(server.missing().is_empty(), "{:?}", server.missing());
    assert_eq!(eval(&tab, "typeof PolicykbIndex.loaded()"), "object");
}

#[test]
fn compressed_copies_are_written_beside_text_files_when_asked_and_verify_checks_them() {
    let f = Fixture::valid();
    f.build().unwrap();
    assert!(!common::tree(&f.output())
        .iter()
        .any(|(p, _)| p.ends_with(".gz")));
    f.write(
        "content/site.yaml",
        &format!("{}\ncompress: true\n", common::site_yaml()),
    );
    f.build().unwrap();
    let site = files(&f.output());
    let manifest = String::from_utf8_lossy(&site[".policykb-output"]).into_owned();
    let mut copies = 0;
    for (path, contents) in &site {
        let Some(original) = path.strip_suffix(".gz") else {
            continue;
        };
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(contents.as_slice()),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(&unzipped, &site[original], "{path}");
        assert!(
            manifest.contains(&format!("  {path}\n")),
            "{path} not in the manifest"
        );
        copies += 1;
    }
    for page in ["index.html", "problems/formalism.html", "search/meta.js"] {
        assert!(site.contains_key(&format!("{page}.gz")), "no {page}.gz");
    }
    assert!(copies > 10, "{copies}");
    // Deterministic: the same build again writes the same bytes.
    f.build().unwrap();
    assert_eq!(files(&f.output()), site);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_policykb"))
        .arg("verify")
        .arg(f.output())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The README's nginx block, served by Debian's nginx: it passes `nginx -t`, sends pages with
/// `no-cache` and UTF-8, hashed files for a year, the `.gz` copies to browsers that take
/// gzip, and the site's 404 page.
#[test]
fn the_readmes_nginx_configuration_is_valid_and_serves_the_site_as_it_says() {
    let nginx = Path::new("/usr/sbin/nginx");
    assert!(
        nginx.exists(),
        "this test needs Debian's nginx (apt-get install -y nginx; .ci/run installs it)"
    );
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = readme
        .split("```nginx\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("README.md has an nginx block");
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content/pages/author-guide.md"),
    )
    .unwrap();
    assert!(
        guide.contains(block),
        "the author's guide shows another nginx configuration"
    );

    let f = Fixture::valid();
    f.write(
        "content/site.yaml",
        &format!("{}\ncompress: true\n", common::site_yaml()),
    );
    let server_root = tempfile::tempdir().unwrap();
    let www = server_root.path().join("www");
    f.build_into(&www.join("kb")).unwrap();
    // nginx's workers may run as another user: let them read the site.
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(server_root.path())
        .status()
        .unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let prefix = server_root.path();
    let temp = |name: &str| prefix.join(name).display().to_string();
    let config = format!(
        "daemon off;\nmaster_process off;\npid {pid};\nerror_log stderr;\nevents {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  client_body_temp_path {body};\n  proxy_temp_path {proxy};\n  fastcgi_temp_path {fastcgi};\n  uwsgi_temp_path {uwsgi};\n  scgi_temp_path {scgi};\n  server {{\n    listen 127.0.0.1:{port};\n{block}\n  }}\n}}\n",
        pid = temp("nginx.pid"),
        body = temp("body"),
        proxy = temp("proxy"),
        fastcgi = temp("fastcgi"),
        uwsgi = temp("uwsgi"),
        scgi = temp("scgi"),
        block = block.replace("/srv/www", &www.display().to_string()),
    );
    let conf = prefix.join("nginx.conf");
    std::fs::write(&conf, config).unwrap();
    let test = std::process::Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );

    let mut running = std::process::Command::new(nginx)
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let get = |path: &str, gzip: bool| -> Option<(String, Vec<u8>)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        let encoding = if gzip {
            "Accept-Encoding: gzip\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\n{encoding}Connection: close\r\n\r\n"
        )
        .ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).ok()?;
        let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
        Some((head, response[split + 4..].to_vec()))
    };
    // nginx is ready once it answers (it starts in well under a second).
    let started = std::time::Instant::now();
    let page = loop {
        if let Some(answer) = get("/kb/problems/formalism.html", false) {
            break answer;
        }
        assert!(started.elapsed().as_secs() < 20, "nginx did not start");
        std::thread::yield_now();
    };
    let check = || {
        let (head, body) = &page;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(
            head.contains("content-type: text/html; charset=utf-8"),
            "{head}"
        );
        assert!(head.contains("cache-control: no-cache"), "{head}");
        assert!(String::from_utf8_lossy(body).contains("工作推进形式化"));

        let style = common::hashed(&www.join("kb"), "static/style.css");
        let (head, _) = get(&format!("/kb/{style}"), false).unwrap();
        assert!(head.contains("max-age=31536000, immutable"), "{head}");
        assert!(
            head.contains("content-type: text/css; charset=utf-8"),
            "{head}"
        );

        let (head, body) = get("/kb/index.html", true).unwrap();
        assert!(head.contains("content-encoding: gzip"), "{head}");
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(body.as_slice()),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, std::fs::read(www.join("kb/index.html")).unwrap());

        let (head, body) = get("/kb/no-such-page.html", false).unwrap();
        assert!(head.starts_with("http/1.1 404"), "{head}");
        assert!(String::from_utf8_lossy(&body).contains("它可能已改名或删除"));
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
    let _ = running.kill();
    let _ = running.wait();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
