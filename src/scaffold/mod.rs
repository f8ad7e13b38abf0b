//! What policykb writes for an author: `init` (a new knowledge base that builds as it
//! is), `new` (a page of a kind, from its archetype) and `theme eject` (copies of the
//! built-in theme to customise).

mod eject;
mod new_page;

pub use eject::{eject, EjectError};
pub use new_page::{new_page, NewPage, NewPageError};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const SITE_YAML: &str = r#"# 站点配置：标题、层面（问题分组）、各类页面的文件夹与名称、标签词表。
title: 我的知识库
description: 用 policykb 生成的离线知识库
language: zh-CN
theme: default
levels:
  - slug: cognition
    name: 责任认知
    description: 对责任的认识是否到位。
kinds:
  - { slug: responsibility, folder: responsibilities, name: 责任类型 }
  - { slug: problem, folder: problems, name: 问题类别 }
  - { slug: countermeasure, folder: countermeasures, name: 整改措施 }
  - { slug: case, folder: cases, name: 典型案例 }
  - { slug: source, folder: sources, name: 来源文献 }
  - { slug: page, folder: pages, name: 说明 }
  - { slug: course, folder: courses, name: 课程 }
tags:
  - slug: example
    name: 示例
    description: 初始化时生成的示例页面。
# 另外导出一份 elasticlunr.js 格式的索引（search/elasticlunr-index.json 与 .js），供内网门户或
# 沿用 Zola/mdBook 搜索代码的主题使用；本站自带的搜索不需要它。去掉下一行的 # 即开启：
# search: { elasticlunr: true }
"#;

const EXAMPLES: &[(&str, &str)] = &[
    (
        "responsibilities/principal.md",
        "---\ntitle: 主体责任\nsummary: 示例责任类型。\ntags: [example]\nsources: [example-source]\n---\n\n在这里写这种责任由谁承担、包含什么。\n",
    ),
    (
        "problems/example-problem.md",
        "---\ntitle: 示例问题\nsummary: 示例问题类别。\nlevel: cognition\ntags: [example]\nresponsibilities: [principal]\ncountermeasures: [example-measure]\nsources: [example-source]\n---\n\n## 表现\n\n在这里描述问题的表现。参见 [示例措施](@/countermeasures/example-measure.md)。\n",
    ),
    (
        "countermeasures/example-measure.md",
        "---\ntitle: 示例措施\nsummary: 示例整改措施。\ntags: [example]\nproblems: [example-problem]\nresponsibilities: [principal]\nsources: [example-source]\n---\n\n在这里写措施的内容。\n",
    ),
    (
        "cases/example-case.md",
        "---\ntitle: 示例案例\nsummary: 示例案例。\nplace: 某地\ntags: [example]\nproblems: [example-problem]\ncountermeasures: [example-measure]\nsources: [example-source]\n---\n\n在这里写案例的经过和做法。\n",
    ),
    (
        "sources/example-source.md",
        "---\ntitle: 示例来源文献\nsummary: 知识库引用的文献。\npublisher: 某单位\ndate: \"2025\"\n---\n\n在这里概述文献的结构。\n",
    ),
    ("pages/about.md", "---\ntitle: 关于本站\n---\n\n这个知识库由 policykb 生成。\n"),
    (
        "courses/example-course.md",
        "---\ntitle: 示例课程\nsummary: 示例培训课程。\naudience: 领导班子成员\nduration: 1\nobjectives:\n  - 能说明示例问题的表现。\nunits:\n  - title: 示例问题与措施\n    pages: [problems/example-problem, countermeasures/example-measure]\n    minutes: 45\n---\n\n在这里写课程说明。\n",
    ),
];

/// Why a knowledge base could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} already exists and is not empty", path.display())]
    NotEmpty { path: PathBuf },
    #[error("cannot create {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Creates the knowledge base in `dir`, which must not exist or must be empty. It uses the
/// built-in theme (`policykb theme eject` copies it for customising).
pub fn init(dir: &Path) -> Result<(), InitError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    if dir.is_dir() && fs::read_dir(dir).map_err(io_error(dir))?.next().is_some() {
        return Err(InitError::NotEmpty {
            path: dir.to_path_buf(),
        });
    }
    let files = std::iter::once(("content/site.yaml".to_string(), SITE_YAML)).chain(
        EXAMPLES
            .iter()
            .map(|(path, text)| (format!("content/{path}"), *text)),
    );
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        fs::write(&path, text).map_err(io_error(&path))?;
    }
    Ok(())
}
