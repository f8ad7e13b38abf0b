//! Shared pieces of the headless-Chromium tests: a built site, a tiny static HTTP server that
//! serves it under a sub-path, and a browser.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::{Browser, LaunchOptions, Tab};

/// The sub-path the site is served under, to prove links are relative.
pub const SUB_PATH: &str = "/training/kb/";

/// Builds the knowledge base at `root` into `<tmp>/…/www/training/kb/` and returns `www`,
/// the web server's document root.
pub fn build_site(root: &Path, name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("policykb-browser-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&base);
    let www = base.join("www");
    let output = site_folder(&www);
    fs::create_dir_all(output.parent().unwrap()).unwrap();
    let options = policykb::BuildOptions {
        root: root.to_path_buf(),
        output: Some(output),
        pdf_browser: None,
    };
    if let Err(failure) = policykb::build(&options) {
        panic!("build failed: {:#?}", failure.diagnostics);
    }
    www
}

/// Where the site itself lies inside the document root.
pub fn site_folder(www: &Path) -> PathBuf {
    www.join(SUB_PATH.trim_matches('/'))
}

/// A static file server on 127.0.0.1 that records every path it could not serve.
pub struct Server {
    pub base_url: String,
    pub missing: Arc<Mutex<Vec<String>>>,
    /// Every path requested, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(document_root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let missing = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (recorded, logged) = (Arc::clone(&missing), Arc::clone(&requests));
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = document_root.clone();
                let (recorded, logged) = (Arc::clone(&recorded), Arc::clone(&logged));
                thread::spawn(move || serve(stream, &root, &recorded, &logged));
            }
        });
        Server {
            base_url: format!("http://127.0.0.1:{port}{SUB_PATH}"),
            missing,
            requests,
        }
    }

    pub fn missing(&self) -> Vec<String> {
        self.missing.lock().unwrap().clone()
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    missing: &Mutex<Vec<String>>,
    requests: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) <= 2 {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    requests.lock().unwrap().push(path.clone());
    // Directories are not served: links must name files, as they must for file://.
    let file = root.join(path.trim_start_matches('/'));
    let response = if !path.contains("..") && file.is_file() {
        let body = fs::read(&file).unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: {}\r\nConnection: close\r\n\r\n",
            content_type(&file),
            body.len(),
            cache_control(&path)
        );
        [head.into_bytes(), body].concat()
    } else {
        if !path.ends_with("favicon.ico") {
            missing.lock().unwrap().push(path.clone());
        }
        // Like a web server set up by the hosting guide (`error_page 404`): the site's 404 page.
        let body =
            fs::read(site_folder(root).join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
        let head = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        [head.into_bytes(), body].concat()
    };
    let _ = stream.write_all(&response);
}

/// What the hosting guide's nginx configuration sends: files with their content's hash in
/// their names are kept for a year, everything else is checked with the server each time.
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let hashed = name
        .split('.')
        .any(|part| part.len() == 10 && part.chars().all(|c| c.is_ascii_hexdigit()));
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_string(), |t| t.into_owned())
}

/// Debian's Chromium, headless. Fails (never skips) when it is missing: `.ci/run` installs it.
pub fn browser() -> Browser {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(
        path.exists(),
        "browser tests need /usr/bin/chromium (apt-get install -y chromium)"
    );
    let user_data = std::env::temp_dir().join(format!(
        "policykb-chromium-{}-{}",
        std::process::id(),
        thread::current()
            .name()
            .unwrap_or("main")
            .replace("::", "-")
    ));
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(user_data))
        .idle_browser_timeout(Duration::from_secs(180))
        .args(vec![
            std::ffi::OsStr::new("--disable-gpu"),
            std::ffi::OsStr::new("--disable-quic"),
            std::ffi::OsStr::new("--disable-component-update"),
        ])
        .build()
        .unwrap();
    Browser::new(options).expect("Chromium starts")
}

/// Evaluates a JavaScript expression and returns its value as JSON.
pub fn eval(tab: &Tab, expression: &str) -> serde_json::Value {
    let wrapped = format!("JSON.stringify((() => {{ return {expression}; }})())");
    evaluate_json(tab, &wrapped, false, expression)
}

/// Evaluates an expression that yields a Promise, and returns its result as JSON.
pub fn eval_async(tab: &Tab, expression: &str) -> serde_json::Value {
    let wrapped = format!("(async () => JSON.stringify(await ({expression})))()");
    evaluate_json(tab, &wrapped, true, expression)
}

/// Runs `wrapped` (which yields a JSON string) and parses the string.
fn evaluate_json(tab: &Tab, wrapped: &str, await_promise: bool, shown: &str) -> serde_json::Value {
    let result = tab
        .evaluate(wrapped, await_promise)
        .unwrap_or_else(|e| panic!("{shown}: {e}"));
    let text = result
        .value
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).unwrap()
}

/// Polls an expression until it is truthy, for up to ten seconds.
pub fn wait_for(tab: &Tab, expression: &str) -> serde_json::Value {
    for _ in 0..200 {
        let value = eval(tab, expression);
        let empty = value.is_null()
            || value == false
            || value == 0
            || value == ""
            || value.as_array().is_some_and(|a| a.is_empty());
        if !empty {
            return value;
        }
        thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for `{expression}` on {}", tab.get_url());
}

/// Loads `url` and waits until its document (scripts and styles included) has loaded.
pub fn open(tab: &Tab, url: &str) {
    // The old document is marked, so that a page with the same path is not taken for the new.
    let _ = tab.evaluate("window.__policykbOldDocument = true", false);
    tab.navigate_to(url).unwrap();
    // The page may rewrite its query string (the search page does): compare paths only.
    let path = |u: &str| u.split(['?', '#']).next().unwrap_or(u).to_string();
    let target = path(url);
    for _ in 0..400 {
        let here = tab.get_url();
        if path(&here) == target || !here.starts_with("http") && !here.starts_with("file") {
            let ready = tab
                .evaluate(
                    "window.__policykbOldDocument ? 'old' : document.readyState",
                    false,
                )
                .ok()
                .and_then(|r| r.value);
            if ready.as_ref().and_then(|v| v.as_str()) == Some("complete") {
                return;
            }
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("{url} did not load");
}

/// Clicks the first element matching `selector` and waits for the next page.
pub fn click_and_wait(tab: &Tab, selector: &str) {
    let before = tab.get_url();
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector} on {before}: {e}"))
        .click()
        .unwrap();
    for _ in 0..200 {
        if tab.get_url() != before {
            break;
        }
        thread::sleep(Duration::from_millis(25));
    }
    tab.wait_until_navigated().unwrap();
    wait_for(tab, "document.readyState === 'complete'");
}

/// A `file://` URL for a path.
pub fn file_url(path: &Path) -> String {
    let encoded: String = path
        .to_string_lossy()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("file://{encoded}")
}

/// Emulates a screen `width` × `height` CSS pixels (a phone below 600).
pub fn set_viewport(tab: &Tab, width: u32, height: u32) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .unwrap();
}

/// Emulates the system's light or dark colour scheme.
pub fn set_color_scheme(tab: &Tab, scheme: &str) {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: None,
        features: Some(vec![Emulation::MediaFeature {
            name: "prefers-color-scheme".into(),
            value: scheme.into(),
        }]),
    })
    .unwrap();
}

/// Result pages of the search page (links without `?highlight=…#section`), in order, once
/// the search has run; tag results are left out.
pub fn results(tab: &Tab) -> Vec<String> {
    wait_for(tab, "document.getElementById('search-status').textContent.length > 0 && !document.getElementById('search-status').textContent.includes('正在加载')");
    serde_json::from_value(eval(
        tab,
        "Array.from(document.querySelectorAll('#search-results li:not(.tag-item) a'), a => a.getAttribute('href').split(/[?#]/)[0])",
    ))
    .unwrap()
}
