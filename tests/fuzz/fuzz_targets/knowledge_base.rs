//! A whole tiny knowledge base → a checked site (nothing written): never a panic.
//!
//! The input is split at lines `=== path` into files under the root (paths are made safe:
//! no `..`, no absolute paths); the first part without a header is `content/site.yaml`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policykb::{build, BuildOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = tempfile::Builder::new()
        .prefix("policykb-fuzz-")
        .tempdir_in(if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" })
        .unwrap();
    let mut path = "content/site.yaml".to_string();
    let mut body = String::new();
    let mut files = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(next) = line.strip_prefix("=== ") {
            files.push((std::mem::take(&mut path), std::mem::take(&mut body)));
            path = next.trim().to_string();
        } else {
            body.push_str(line);
        }
    }
    files.push((path, body));
    for (path, body) in files.into_iter().take(32) {
        let safe: Vec<&str> = path
            .split('/')
            .filter(|part| !part.is_empty() && *part != "." && *part != "..")
            .collect();
        if safe.is_empty() || safe.len() > 4 {
            continue;
        }
        let target = root.path().join(safe.join("/"));
        if let Some(parent) = target.parent() {
            if std::fs::create_dir_all(parent).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(target, body);
    }
    let _ = build(&BuildOptions {
        root: root.path().to_path_buf(),
        output: None,
        pdf_browser: None,
    });
});
