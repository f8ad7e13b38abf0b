//! Small knowledge bases in temporary folders, for integration tests, copied from the
//! fixture folders under `tests/fixtures/` (open them to see what a test builds):
//! `valid/` is a small, correct knowledge base with every kind; `invalid/<case>/` holds only
//! the files a bad-input case changes (and `remove.txt`, files it deletes), plus
//! `expected.txt`, the exact report the build must print.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use policykb::{build, BuildFailure, BuildOptions, BuildReport};

/// The fixture folders.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The valid fixture's site configuration, for tests that change one line of it.
pub fn site_yaml() -> String {
    fs::read_to_string(fixtures().join("valid/content/site.yaml")).unwrap()
}

/// A knowledge base in a fresh temporary folder, removed when dropped.
pub struct Fixture {
    pub root: PathBuf,
    _folder: tempfile::TempDir,
}

impl Fixture {
    /// An empty folder with only the site configuration.
    pub fn new() -> Fixture {
        let folder = tempfile::Builder::new()
            .prefix("policykb-test-")
            .tempdir()
            .unwrap();
        let fixture = Fixture {
            root: folder.path().to_path_buf(),
            _folder: folder,
        };
        fixture.write("content/site.yaml", &site_yaml());
        fixture
    }

    /// The valid knowledge base of `tests/fixtures/valid/`: every kind, cross-references, a
    /// Chinese file name.
    pub fn valid() -> Fixture {
        let fixture = Fixture::new();
        copy_tree(&fixtures().join("valid"), &fixture.root);
        fixture
    }

    /// The valid knowledge base with the changes of `tests/fixtures/invalid/<case>/`.
    pub fn invalid(case: &str) -> Fixture {
        Fixture::with(&format!("invalid/{case}"))
    }

    /// The valid knowledge base with the files of `tests/fixtures/<overlay>/` added or
    /// replaced (and those its `remove.txt` names deleted).
    pub fn with(overlay: &str) -> Fixture {
        let fixture = Fixture::valid();
        let overlay = fixtures().join(overlay);
        assert!(overlay.is_dir(), "no fixture folder {}", overlay.display());
        copy_tree(&overlay, &fixture.root);
        if let Ok(list) = fs::read_to_string(overlay.join("remove.txt")) {
            for path in list.lines().filter(|l| !l.trim().is_empty()) {
                fs::remove_file(fixture.root.join(path.trim())).unwrap();
            }
        }
        for own in ["expected.txt", "remove.txt"] {
            let _ = fs::remove_file(fixture.root.join(own));
        }
        fixture
    }

    pub fn write(&self, path: &str, text: &str) {
        self.write_bytes(path, text.as_bytes());
    }

    /// Writes a file the way editors save: into a hidden temporary file, renamed over the
    /// old one, so a watcher never sees it empty or half written.
    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let path = self.root.join(path);
        let folder = path.parent().unwrap();
        fs::create_dir_all(folder).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let temporary = folder.join(format!(".{name}.tmp"));
        fs::write(&temporary, bytes).unwrap();
        fs::rename(&temporary, &path).unwrap();
    }

    pub fn output(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn build(&self) -> Result<BuildReport, BuildFailure> {
        build(&BuildOptions {
            root: self.root.clone(),
            output: Some(self.output()),
            pdf_browser: None,
        })
    }

    pub fn build_into(&self, output: &Path) -> Result<BuildReport, BuildFailure> {
        build(&BuildOptions {
            root: self.root.clone(),
            output: Some(output.to_path_buf()),
            pdf_browser: None,
        })
    }

    pub fn check(&self) -> Result<BuildReport, BuildFailure> {
        build(&BuildOptions {
            root: self.root.clone(),
            output: None,
            pdf_browser: None,
        })
    }

    /// The build's failure as text, one diagnostic per line group; panics if it succeeded.
    pub fn errors(&self) -> String {
        match self.check() {
            Ok(report) => panic!(
                "expected the build to fail; it succeeded: {}",
                report.summary()
            ),
            Err(failure) => failure
                .diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn read(&self, path: &str) -> String {
        fs::read_to_string(self.output().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A file of the knowledge base itself (`content/…`).
    pub fn read_source(&self, path: &str) -> String {
        fs::read_to_string(self.root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// Copies every file under `from` into `to`, keeping relative paths.
pub fn copy_tree(from: &Path, to: &Path) {
    for (name, bytes) in tree(from) {
        let path = to.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// Every file under `dir`, as (relative path, contents), sorted: for comparing two outputs.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Asserts that two folders hold the same files with the same bytes.
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (a, b) = (tree(a), tree(b));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs");
    }
}

/// The output path of a file written under a name with its content's hash, from the name
/// without it: `static/style.css` → `static/style.0c257c7449.css`.
pub fn hashed(site: &Path, path: &str) -> String {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let (stem, extension) = name.rsplit_once('.').unwrap();
    let found: Vec<String> = fs::read_dir(site.join(folder))
        .unwrap_or_else(|e| panic!("{}: {e}", site.join(folder).display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| {
            f.strip_prefix(&format!("{stem}."))
                .and_then(|rest| rest.strip_suffix(&format!(".{extension}")))
                .is_some_and(|hash| hash.len() == 10 && hash.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(found.len(), 1, "{path}: {found:?}");
    format!("{folder}/{}", found[0])
}
