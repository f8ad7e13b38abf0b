//! Themes: the Tera templates and static files that give the site its look.
//!
//! A theme is a folder `themes/<name>/` with `templates/*.html` and `static/`. The default
//! theme is also compiled into the binary, so a knowledge base without a `themes/` folder
//! still builds. A knowledge base may override any template by putting a file with the same
//! name in its own `templates/`, and add files to the output through its own `static/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// The default theme, embedded so `init` and builds without a theme folder work anywhere.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../themes/default/templates/base.html"),
    ),
    (
        "home.html",
        include_str!("../themes/default/templates/home.html"),
    ),
    (
        "page.html",
        include_str!("../themes/default/templates/page.html"),
    ),
    (
        "kind.html",
        include_str!("../themes/default/templates/kind.html"),
    ),
    (
        "level.html",
        include_str!("../themes/default/templates/level.html"),
    ),
    (
        "tag.html",
        include_str!("../themes/default/templates/tag.html"),
    ),
    (
        "tags.html",
        include_str!("../themes/default/templates/tags.html"),
    ),
    (
        "search.html",
        include_str!("../themes/default/templates/search.html"),
    ),
];

const DEFAULT_STATIC: &[(&str, &str)] = &[
    (
        "style.css",
        include_str!("../themes/default/static/style.css"),
    ),
    (
        "search.js",
        include_str!("../themes/default/static/search.js"),
    ),
    (
        "tokenizer.js",
        include_str!("../themes/default/static/tokenizer.js"),
    ),
];

/// Templates every theme must provide, because the renderer asks for them by name.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "home.html",
    "page.html",
    "kind.html",
    "level.html",
    "tag.html",
    "tags.html",
    "search.html",
];

/// Compiled templates plus the static files to copy into the output under `static/`.
pub struct Theme {
    tera: Tera,
    /// Template name → where it came from, to name the file in error messages.
    origins: BTreeMap<String, PathBuf>,
    /// Path under `static/` → bytes.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// Loads the theme named in the config, then the knowledge base's own overrides.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        let mut static_files = BTreeMap::new();
        let mut problems = Vec::new();
        let theme_dir = root.join("themes").join(name);
        if theme_dir.is_dir() {
            read_templates(
                root,
                &theme_dir.join("templates"),
                &mut sources,
                &mut problems,
            );
            read_static(
                root,
                &theme_dir.join("static"),
                &mut static_files,
                &mut problems,
            );
        } else if name == "default" {
            for (file, text) in DEFAULT_TEMPLATES {
                let origin = PathBuf::from("themes/default/templates").join(file);
                sources.insert((*file).to_string(), (origin, (*text).to_string()));
            }
            for (file, text) in DEFAULT_STATIC {
                static_files.insert((*file).to_string(), text.as_bytes().to_vec());
            }
        } else {
            return Err(vec![Diagnostic::error(
                Path::new("content").join(crate::config::CONFIG_FILE),
                format!(
                    "theme `{name}` not found: there is no folder {}",
                    theme_dir.display()
                ),
            )
            .with_hint("use `theme: default`, or create themes/<name>/templates/")]);
        }
        read_templates(root, &root.join("templates"), &mut sources, &mut problems);
        read_static(root, &root.join("static"), &mut static_files, &mut problems);
        for required in REQUIRED_TEMPLATES {
            if !sources.contains_key(*required) {
                problems.push(
                    Diagnostic::error(
                        theme_dir.join("templates").join(required),
                        "template missing",
                    )
                    .with_hint(format!(
                        "theme `{name}` must provide {required}; copy it from themes/default"
                    )),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Self::compile(sources, static_files)
    }

    /// The embedded default theme's files, for `policykb init`.
    pub fn default_files() -> Vec<(String, &'static str)> {
        let templates = DEFAULT_TEMPLATES
            .iter()
            .map(|(f, t)| (format!("templates/{f}"), *t));
        let statics = DEFAULT_STATIC
            .iter()
            .map(|(f, t)| (format!("static/{f}"), *t));
        templates.chain(statics).collect()
    }

    fn compile(
        sources: BTreeMap<String, (PathBuf, String)>,
        static_files: BTreeMap<String, Vec<u8>>,
    ) -> Result<Theme, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        let origins: BTreeMap<String, PathBuf> = sources
            .iter()
            .map(|(name, (origin, _))| (name.clone(), origin.clone()))
            .collect();
        let templates = sources
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()));
        if let Err(error) = tera.add_raw_templates(templates) {
            return Err(vec![template_diagnostic(&error, &origins)]);
        }
        Ok(Theme {
            tera,
            origins,
            static_files,
        })
    }

    /// Makes `value` available to every template as `name`, serialised once rather than per page.
    pub fn set_global<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.tera.global_context().insert(name, value);
    }

    /// Renders one template; a failure names the template file and line.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|error| template_diagnostic(&error, &self.origins))
    }
}

/// Turns a Tera error into a diagnostic pointing at the template file.
fn template_diagnostic(error: &tera::Error, origins: &BTreeMap<String, PathBuf>) -> Diagnostic {
    use tera::ErrorKind;
    let hint = "check the template against the variables listed in README.md (Themes)";
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let file = origins
                .get(report.filename())
                .cloned()
                .unwrap_or_else(|| PathBuf::from(report.filename()));
            let span = report.span();
            Diagnostic::error(file, format!("template error: {}", report.message()))
                .at(span.start_line, span.start_col + 1)
                .with_hint(hint)
        }
        other => Diagnostic::error("templates", format!("template error: {other}")).with_hint(hint),
    }
}

fn read_templates(
    root: &Path,
    dir: &Path,
    sources: &mut BTreeMap<String, (PathBuf, String)>,
    problems: &mut Vec<Diagnostic>,
) {
    for (path, name) in files_under(dir) {
        if !name.ends_with(".html") {
            continue;
        }
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        match fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => {
                sources.insert(name, (shown, text));
            }
            Ok(Err(_)) => problems.push(
                Diagnostic::error(shown, "template is not valid UTF-8")
                    .with_hint("save it as UTF-8"),
            ),
            Err(error) => problems.push(Diagnostic::error(
                shown,
                format!("cannot read template: {error}"),
            )),
        }
    }
}

fn read_static(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<Diagnostic>,
) {
    for (path, name) in files_under(dir) {
        match fs::read(&path) {
            Ok(bytes) => {
                files.insert(name, bytes);
            }
            Err(error) => problems.push(Diagnostic::error(
                path.strip_prefix(root).unwrap_or(&path),
                format!("cannot read static file: {error}"),
            )),
        }
    }
}

/// Regular files below `dir` as (path, `/`-separated name relative to `dir`), sorted.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (e.path().to_path_buf(), name)
        })
        .collect()
}
