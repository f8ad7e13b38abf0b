//! Small knowledge bases written into temporary folders, for integration tests.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use policykb::{build, BuildFailure, BuildOptions, BuildReport};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub const SITE_YAML: &str = "title: 测试知识库
description: 用于测试
levels:
  - { slug: cognition, name: 责任认知 }
  - { slug: implementation, name: 责任落实 }
kinds:
  - { slug: responsibility, folder: responsibilities, name: 责任类型 }
  - { slug: problem, folder: problems, name: 问题 }
  - { slug: countermeasure, folder: countermeasures, name: 整改措施 }
  - { slug: case, folder: cases, name: 案例 }
  - { slug: source, folder: sources, name: 来源文献 }
  - { slug: page, folder: pages, name: 说明 }
tags:
  - { slug: formalism, name: 形式主义 }
  - { slug: accountability, name: 问责 }
";

/// A knowledge base in a fresh temporary folder.
pub struct Fixture {
    pub root: PathBuf,
}

impl Fixture {
    /// An empty folder with only the site configuration.
    pub fn new() -> Fixture {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("policykb-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let fixture = Fixture { root };
        fixture.write("content/site.yaml", SITE_YAML);
        fixture
    }

    /// A small, valid knowledge base: every kind, cross-references, a Chinese file name.
    pub fn valid() -> Fixture {
        let f = Fixture::new();
        f.write(
            "content/sources/doc.md",
            "---\ntitle: 某文献\nsummary: 测试文献。\npublisher: 某单位\ndate: \"2025\"\n---\n\n文献概要。\n",
        );
        f.write("content/responsibilities/principal.md", "---\ntitle: 主体责任\nsummary: 党委的责任。\naliases: [第一位的责任]\ntags: [accountability]\nsources: [doc]\n---\n\n## 内容\n\n主体责任的内容。\n");
        f.write("content/problems/formalism.md", "---\ntitle: 工作推进形式化\nsummary: 以会议落实会议。\nlevel: implementation\naliases: [以会议落实会议]\ntags: [formalism]\nresponsibilities: [principal]\ncountermeasures: [lists]\nsources: [doc]\n---\n\n## 表现\n\n以文件落实文件，见[问责不力](@/problems/问责不力.md#危害)。\n\n## 危害\n\n耗费人力。\n");
        f.write("content/problems/问责不力.md", "---\ntitle: 问责力度不足\nsummary: 问责偏软。\nlevel: cognition\ntags: [accountability]\nsources: [doc]\nrelated: [formalism]\n---\n\n## 危害\n\n失去震慑。\n");
        f.write("content/countermeasures/lists.md", "---\ntitle: 责任清单\nsummary: 列出责任。\nproblems: [formalism, 问责不力]\nresponsibilities: [principal]\nsources: [doc]\n---\n\n清单管理。\n");
        f.write("content/cases/anyang.md", "---\ntitle: 某地做法\nsummary: 一个案例。\nplace: 某市\ndate: \"2024年\"\nproblems: [问责不力]\ncountermeasures: [lists]\nsources: [doc]\n---\n\n案例经过。\n");
        f.write(
            "content/pages/about.md",
            "---\ntitle: 关于\n---\n\n见[主体责任](@/responsibilities/principal.md)。\n",
        );
        f
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
        })
    }

    pub fn build_into(&self, output: &Path) -> Result<BuildReport, BuildFailure> {
        build(&BuildOptions {
            root: self.root.clone(),
            output: Some(output.to_path_buf()),
        })
    }

    pub fn check(&self) -> Result<BuildReport, BuildFailure> {
        build(&BuildOptions {
            root: self.root.clone(),
            output: None,
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
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
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
