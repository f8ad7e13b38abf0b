//! The published site is never lost: concurrent builds, a reader during a build, copies.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{assert_same_tree, Fixture};

fn policykb(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_policykb"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("the binary runs")
}

#[test]
fn ten_concurrent_builds_end_with_one_complete_site() {
    let f = Fixture::valid();
    let reference = f.root.join("reference");
    f.build_into(&reference).unwrap();
    let builds: Vec<_> = (0..10)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_policykb"))
                .args(["build"])
                .current_dir(&f.root)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut waited = 0;
    for build in builds {
        let output = build.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "a build failed: {stderr}");
        waited += usize::from(stderr.contains("another build is writing"));
    }
    assert!(waited >= 1, "no build reported waiting for another");
    assert_same_tree(&reference, &f.output());
    let leftovers: Vec<String> = fs::read_dir(&f.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("policykb-") && !n.ends_with("policykb-lock"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_reader_never_sees_the_site_missing_during_rebuilds() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let f = Fixture::valid();
    f.build().unwrap();
    let index = f.output().join("index.html");
    let done = AtomicBool::new(false);
    let missing = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut missing = 0;
            while !done.load(Ordering::Relaxed) {
                missing += usize::from(fs::metadata(&index).is_err());
            }
            missing
        });
        for _ in 0..20 {
            f.build().unwrap();
        }
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap()
    });
    assert_eq!(missing, 0, "index.html was missing {missing} times");
}

#[test]
fn a_deploy_folder_with_a_copied_manifest_keeps_its_other_files() {
    let f = Fixture::valid();
    f.build().unwrap();
    let www = f.root.join("www");
    fs::create_dir_all(&www).unwrap();
    fs::write(www.join("user-data.txt"), "important").unwrap();
    for (name, bytes) in common::tree(&f.output()) {
        let path = www.join(&name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let run = policykb(&f.root, &["build", "--output", "www"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("user-data.txt") && stderr.contains("the last build did not write"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(www.join("user-data.txt")).unwrap(),
        "important"
    );
}

#[test]
fn an_output_folder_inside_static_is_refused() {
    let f = Fixture::valid();
    fs::create_dir_all(f.root.join("static")).unwrap();
    let run = policykb(&f.root, &["build", "--output", "static/site"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("inside the input folder static/"),
        "{stderr}"
    );
    assert!(!f.root.join("static/site").exists());
}
