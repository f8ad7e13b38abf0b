//! Themes: the Tera templates, static files and UI strings that give the site its look.
//!
//! A theme is a folder `themes/<name>/` with `templates/*.html`, `static/` and
//! `strings.yaml`. The default theme is compiled into the binary, so a knowledge base
//! without a `themes/` folder builds with it and follows upgrades of the tool. A knowledge
//! base may override any template by putting a file with the same name in its own
//! `templates/` (and any string in `templates/strings.yaml`), and add files to the output
//! through its own `static/`. Everything is read once, when the build starts.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::urls;

/// The default theme, embedded so that builds without a theme folder work anywhere.
static DEFAULT_THEME: Dir = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

const STRINGS_FILE: &str = "strings.yaml";

/// Compiled templates plus the static files to copy into the output under `static/`.
#[derive(Clone)]
pub struct Theme {
    tera: Tera,
    /// Template name → where it came from, to name the file in error messages.
    origins: BTreeMap<String, PathBuf>,
    /// Templates the knowledge base has its own copy of, overriding the built-in ones.
    copies: BTreeSet<String>,
    /// Path under `static/` → bytes.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Static files of the theme (not the knowledge base's own additions): written under a
    /// name with their content's hash, which templates get from `assets`.
    theme_files: BTreeSet<String>,
    pub strings: Strings,
}

/// The theme's UI words, by dotted key (`references.problem.countermeasures`).
#[derive(Debug, Clone, Default)]
pub struct Strings {
    by_key: BTreeMap<String, String>,
}

impl Strings {
    /// The string for `key`, or the key itself (so a missing string is visible, not blank).
    pub fn get(&self, key: &str) -> String {
        self.by_key
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn first(&self, keys: &[String]) -> String {
        keys.iter()
            .find_map(|k| self.by_key.get(k).cloned())
            .unwrap_or_else(|| keys.last().cloned().unwrap_or_default())
    }

    /// The heading of a reference field's section on a page of `kind`.
    pub fn reference_label(&self, kind: &str, field: &str) -> String {
        self.first(&[
            format!("references.{kind}.{field}"),
            format!("references.{field}"),
            "references.other".into(),
        ])
    }

    /// The heading of a back-link section on a page of `kind`, for pages of kind `from`.
    pub fn backlink_label(&self, kind: &str, from: &str) -> String {
        self.first(&[
            format!("backlinks.{kind}"),
            format!("backlinks.from.{from}"),
        ])
    }

    /// The label of a fact (place, date, …) on a page of `kind`.
    pub fn fact_label(&self, kind: &str, field: &str) -> String {
        self.first(&[format!("facts.{kind}.{field}"), format!("facts.{field}")])
    }

    /// Adds the strings of a `strings.yaml` text, overriding those with the same key.
    fn merge(&mut self, text: &str, file: &Path) -> Result<(), Diagnostic> {
        let parsed: BTreeMap<String, serde_yaml::Value> = serde_yaml::from_str(text)
            .map_err(|e| Diagnostic::error(file, format!("invalid strings file: {e}")))?;
        for (group, value) in parsed {
            match value {
                serde_yaml::Value::String(text) => {
                    self.by_key.insert(group, text);
                }
                serde_yaml::Value::Mapping(entries) => {
                    for (key, text) in entries {
                        if let (Some(key), Some(text)) = (key.as_str(), text.as_str()) {
                            self.by_key
                                .insert(format!("{group}.{key}"), text.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A theme's files before compiling: template sources, static files, strings.
#[derive(Default)]
struct Sources {
    templates: BTreeMap<String, (PathBuf, String)>,
    /// Static files the built-in theme or the theme folder has.
    theme_files: BTreeSet<String>,
    /// Built-in templates that a theme folder or the knowledge base overrides.
    copies: BTreeSet<String>,
    static_files: BTreeMap<String, Vec<u8>>,
    strings: Strings,
    problems: Vec<Diagnostic>,
}

impl Theme {
    /// Loads the theme named in the config, then the knowledge base's own overrides.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut sources = Sources::default();
        let theme_dir = root.join("themes").join(name);
        // The built-in theme first: a theme folder overrides what it has, and a template,
        // static file or string it lacks (one added by a newer policykb) comes from here.
        sources.read_built_in();
        if theme_dir.is_dir() {
            sources.read_folder(
                root,
                &theme_dir.join("templates"),
                &theme_dir.join("static"),
            );
            sources.theme_files = sources.static_files.keys().cloned().collect();
            sources.read_strings(root, &theme_dir.join(STRINGS_FILE));
        } else if name != "default" {
            return Err(vec![Diagnostic::error(
                Path::new("content").join(crate::config::CONFIG_FILE),
                format!("theme `{name}` not found: there is no folder themes/{name}/"),
            )
            .with_hint("use `theme: default`, or create themes/<name>/templates/")]);
        }
        sources.read_folder(root, &root.join("templates"), &root.join("static"));
        sources.read_strings(root, &root.join("templates").join(STRINGS_FILE));
        if !sources.problems.is_empty() {
            return Err(sources.problems);
        }
        Self::compile(sources)
    }

    /// The built-in default theme's files, as (path inside the theme folder, contents).
    pub fn default_files() -> Vec<(String, &'static [u8])> {
        let mut files = Vec::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        files.sort();
        files
    }

    fn compile(sources: Sources) -> Result<Theme, Vec<Diagnostic>> {
        let origins: BTreeMap<String, PathBuf> = sources
            .templates
            .iter()
            .map(|(name, (origin, _))| (name.clone(), origin.clone()))
            .collect();
        // Each template alone first, so that every syntax error is reported, not the first.
        let mut problems = Vec::new();
        for (name, (_, text)) in &sources.templates {
            let mut alone = Tera::new();
            if let Err(error) = alone.add_raw_template(name, text) {
                if matches!(error.kind(), tera::ErrorKind::SyntaxError(_)) {
                    problems.push(template_diagnostic(&error, &origins, &sources.copies));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = Tera::new();
        let templates = sources
            .templates
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()));
        if let Err(error) = tera.add_raw_templates(templates) {
            return Err(vec![template_diagnostic(&error, &origins, &sources.copies)]);
        }
        Ok(Theme {
            tera,
            origins,
            copies: sources.copies,
            static_files: sources.static_files,
            theme_files: sources.theme_files,
            strings: sources.strings,
        })
    }

    /// Where static file `name` goes in the output: a theme file under a name holding its
    /// content's hash (`static/style.3f2a1c9d0b.css`), so that a browser that cached an
    /// older build never mixes its files with this one's; the knowledge base's own
    /// additions keep their names, since pages link them by name.
    pub fn asset_path(&self, name: &str) -> String {
        match self.static_files.get(name) {
            Some(bytes) if self.theme_files.contains(name) => {
                urls::static_file(&urls::hashed_name(name, bytes))
            }
            _ => urls::static_file(name),
        }
    }

    /// Every static file's output path, by name: `assets["style.css"]` in templates.
    pub fn asset_paths(&self) -> BTreeMap<String, String> {
        self.static_files
            .keys()
            .map(|name| (name.clone(), self.asset_path(name)))
            .collect()
    }

    /// Makes `value` available to every template as `name`, serialised once rather than per page.
    pub fn set_global<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.tera.global_context().insert(name, value);
    }

    /// Renders one template into bytes; a failure names the template file and line. (Not
    /// `Tera::render`, whose `String` checks every page's HTML for UTF-8 once more.)
    pub fn render(&self, name: &str, context: &Context) -> Result<Vec<u8>, Diagnostic> {
        let mut html = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(name, context, &mut html)
            .map_err(|error| template_diagnostic(&error, &self.origins, &self.copies))?;
        Ok(html)
    }
}

impl Sources {
    fn read_built_in(&mut self) {
        for (path, bytes) in Theme::default_files() {
            if let Some(name) = path.strip_prefix("templates/") {
                let origin = PathBuf::from("themes/default").join(&path);
                let text = String::from_utf8_lossy(bytes).into_owned();
                self.templates.insert(name.to_string(), (origin, text));
            } else if let Some(name) = path.strip_prefix("static/") {
                self.static_files.insert(name.to_string(), bytes.to_vec());
                self.theme_files.insert(name.to_string());
            } else if path == STRINGS_FILE {
                let text = String::from_utf8_lossy(bytes);
                if let Err(problem) = self
                    .strings
                    .merge(&text, Path::new("themes/default/strings.yaml"))
                {
                    self.problems.push(problem);
                }
            }
        }
    }

    fn read_folder(&mut self, root: &Path, templates: &Path, statics: &Path) {
        for (path, name) in files_under(templates) {
            if !name.ends_with(".html") {
                continue;
            }
            let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            match fs::read(&path).map(String::from_utf8) {
                Ok(Ok(text)) => {
                    if DEFAULT_THEME.contains(Path::new("templates").join(&name)) {
                        self.copies.insert(name.clone());
                    }
                    self.templates.insert(name, (shown, text));
                }
                Ok(Err(_)) => self.problems.push(
                    Diagnostic::error(shown, "template is not valid UTF-8")
                        .with_hint("save it as UTF-8"),
                ),
                Err(error) => self.problems.push(Diagnostic::error(
                    shown,
                    format!("cannot read template: {error}"),
                )),
            }
        }
        for (path, name) in files_under(statics) {
            match fs::read(&path) {
                Ok(bytes) => {
                    self.static_files.insert(name, bytes);
                }
                Err(error) => self.problems.push(Diagnostic::error(
                    path.strip_prefix(root).unwrap_or(&path),
                    format!("cannot read static file: {error}"),
                )),
            }
        }
    }

    fn read_strings(&mut self, root: &Path, file: &Path) {
        let Ok(text) = fs::read_to_string(file) else {
            return;
        };
        let shown = file.strip_prefix(root).unwrap_or(file);
        if let Err(problem) = self.strings.merge(&text, shown) {
            self.problems.push(problem);
        }
    }
}

fn collect_embedded(dir: &'static Dir, files: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        files.push((path, file.contents()));
    }
    for sub in dir.dirs() {
        collect_embedded(sub, files);
    }
}

/// Turns a Tera error into a diagnostic pointing at the template file. An error in the
/// knowledge base's copy of a built-in template is most likely a copy from an older
/// policykb: the hint says how to take the current one.
fn template_diagnostic(
    error: &tera::Error,
    origins: &BTreeMap<String, PathBuf>,
    copies: &BTreeSet<String>,
) -> Diagnostic {
    use tera::ErrorKind;
    // A syntax error is an edit of the author's; a rendering error (a variable, filter or
    // macro that is not there) in a copy is what an upgrade leaves behind.
    let rendering = matches!(error.kind(), ErrorKind::RenderingError(_));
    let hint = |name: &str| match rendering && copies.contains(name) {
        true => format!(
            "this is your copy of the built-in {name}, perhaps from an older policykb; compare \
             it with the current one: move it away, run `policykb theme eject {name}` and carry \
             your changes over (or delete it to use the built-in one)"
        ),
        false => "check the template against the variables listed in README.md (Themes)".into(),
    };
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let file = origins
                .get(report.filename())
                .cloned()
                .unwrap_or_else(|| PathBuf::from(report.filename()));
            let span = report.span();
            Diagnostic::error(file, format!("template error: {}", report.message()))
                .at(span.start_line, span.start_col + 1)
                .with_hint(hint(report.filename()))
        }
        other => {
            Diagnostic::error("templates", format!("template error: {other}")).with_hint(hint(""))
        }
    }
}

/// Regular files below `dir` as (path, `/`-separated name relative to `dir`), sorted;
/// symbolic links are not followed.
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
