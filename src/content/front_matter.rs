//! Splitting a Markdown file into YAML front matter and body, and reading the front matter
//! against the schema, reporting every problem of the file at once.

use serde_yaml::Value;

use crate::config::is_valid_slug;
use crate::diagnostics::Diagnostic;
use crate::yaml::{self, Position};

use super::schema::{self, Shape, FIELDS};
use super::{FrontMatter, Kind, Page, SourceFile};

/// The parts of a Markdown file, with the file lines where each starts.
struct Split<'a> {
    front_matter: &'a str,
    front_matter_first_line: usize,
    body: &'a str,
    body_first_line: usize,
}

/// Parses one file into a page, or returns every problem found in it.
pub fn parse_page(source: &SourceFile) -> Result<Page, Vec<Diagnostic>> {
    match read_page(source) {
        (Some(page), problems) if problems.is_empty() => Ok(page),
        (_, problems) => Err(problems),
    }
}

/// Every problem of one file, and the page as far as it could be read: a page whose front
/// matter is YAML is returned even with problems in its fields, so that its references
/// are still checked and every problem is reported in one run.
pub fn read_page(source: &SourceFile) -> (Option<Page>, Vec<Diagnostic>) {
    match parse(source) {
        Ok((page, problems)) => (Some(page), problems),
        Err(problems) => (None, problems),
    }
}

fn parse(source: &SourceFile) -> Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>> {
    let split = split(&source.text).map_err(|d| {
        vec![Diagnostic {
            file: source.file.clone(),
            ..d
        }]
    })?;
    let error = |message: String, at: Position| {
        Diagnostic::error(&source.file, message).at(at.line, at.column)
    };
    let document = yaml::parse(split.front_matter, split.front_matter_first_line).map_err(|e| {
        let mut d = Diagnostic::error(&source.file, format!("invalid front matter: {}", e.message));
        if let Some(line) = e.line {
            d = d.at(line, e.column.unwrap_or(1));
        }
        vec![match e.hint {
            Some(hint) => d.with_hint(hint),
            None => d,
        }]
    })?;
    let start = Position {
        line: split.front_matter_first_line,
        column: 1,
    };
    let mapping = match document.value {
        Value::Mapping(mapping) => mapping,
        Value::Null => Default::default(),
        _ => {
            return Err(vec![error(
                "front matter must be `key: value` lines".into(),
                start,
            )
            .with_hint("e.g. `title: 问责力度不足` on its own line")])
        }
    };
    let positions = document.positions;
    let mut meta = FrontMatter::default();
    let mut problems = Vec::new();
    // Fields whose value was reported as wrong: not "missing" on top of that.
    let mut wrong: Vec<String> = Vec::new();
    // For lists read item by item: where each kept item stood in the file's list.
    let mut kept_places: Vec<(String, Vec<usize>)> = Vec::new();
    for (key, value) in mapping {
        let Value::String(name) = key else {
            problems.push(error("a front-matter key must be a name".into(), start));
            continue;
        };
        let key_at = positions.key(&name).unwrap_or(start);
        let Some(field) = schema::field(&name) else {
            problems.push(
                error(
                    format!("invalid front matter: unknown field `{name}`"),
                    key_at,
                )
                .suggesting(&name, FIELDS.iter().map(|f| f.name))
                .with_hint_if_none(format!(
                    "{} pages take: {}",
                    source.kind.slug(),
                    fields_of(source.kind)
                )),
            );
            continue;
        };
        if !field.accepts(source.kind) {
            problems.push(
                error(
                    format!("`{name}` is not a field of {} pages", source.kind.slug()),
                    key_at,
                )
                .with_hint(format!(
                    "{} pages take: {}",
                    source.kind.slug(),
                    fields_of(source.kind)
                )),
            );
            continue;
        }
        if value.is_null() {
            continue;
        }
        let value = if matches!(field.shape, Shape::Units | Shape::Quiz) {
            // Each item on its own, so that a problem is reported at its item; the good
            // ones are kept, so that their references are still checked.
            let (good, broken, places) = if field.shape == Shape::Units {
                split_units(&name, value)
            } else {
                split_questions(&name, value)
            };
            kept_places.push((name.clone(), places));
            for (path, message) in &broken {
                let at = positions.value(path).unwrap_or(key_at);
                problems.push(error(format!("`{path}`: {message}"), at));
            }
            if !broken.is_empty() {
                wrong.push(name.clone());
            }
            good
        } else {
            value
        };
        if let Err(message) = meta.assign(field, value) {
            let at = positions.value(&name).unwrap_or(key_at);
            problems.push(error(format!("`{name}`: {message}"), at));
            wrong.push(name.clone());
        }
    }
    for (name, places) in kept_places {
        match name.as_str() {
            "units" => meta
                .units
                .iter_mut()
                .zip(places)
                .for_each(|(u, at)| u.at = at),
            "quiz" => meta
                .quiz
                .iter_mut()
                .zip(places)
                .for_each(|(q, at)| q.at = at),
            _ => {}
        }
    }
    for field in FIELDS.iter().filter(|f| f.is_required(source.kind)) {
        if !meta.is_set(field.name) && !wrong.iter().any(|w| w == field.name) {
            problems.push(
                error(format!("missing required field `{}`", field.name), start)
                    .with_hint(format!("add `{}: …` to the front matter", field.name)),
            );
        }
    }
    let stem = source
        .content_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".md")
        .to_string();
    let body = clean_body(split.body);
    let page = Page {
        kind: source.kind,
        slug: meta.slug.clone().unwrap_or(stem),
        file: source.file.clone(),
        content_path: source.content_path.clone(),
        meta,
        positions,
        body_hash: body_hash(&body),
        body,
        body_first_line: split.body_first_line,
        front_matter_first_line: split.front_matter_first_line,
    };
    problems.extend(check_identity(&page));
    Ok((page, problems))
}

/// A course's units: the good ones (as YAML again), and the problems of the others as
/// (path, message).
fn split_units(name: &str, value: Value) -> (Value, Vec<(String, String)>, Vec<usize>) {
    let Value::Sequence(units) = value else {
        let message = "expected a list of units, each `- title: …` with `pages: [folder/slug, …]`";
        return (
            Value::Sequence(Vec::new()),
            vec![(name.to_string(), message.into())],
            Vec::new(),
        );
    };
    let mut good = Vec::new();
    let mut places = Vec::new();
    let mut problems = Vec::new();
    for (i, unit) in units.into_iter().enumerate() {
        let path = format!("{name}.{i}");
        match serde_yaml::from_value::<super::Unit>(unit.clone()) {
            Ok(parsed) if parsed.title.trim().is_empty() => {
                problems.push((path, "a unit needs a `title`".into()))
            }
            Ok(parsed) if parsed.pages.is_empty() => problems.push((
                path,
                format!(
                    "the unit `{}` covers no page: add `pages: [folder/slug, …]`",
                    parsed.title
                ),
            )),
            Ok(_) => {
                good.push(unit);
                places.push(i);
            }
            Err(e) => {
                let message = e.to_string();
                let message = message
                    .split(", expected one of")
                    .next()
                    .unwrap_or(&message);
                problems.push((path, message.to_string()));
            }
        }
    }
    (Value::Sequence(good), problems, places)
}

/// A page's quiz: the good questions (as YAML again), and the problems of the others.
fn split_questions(name: &str, value: Value) -> (Value, Vec<(String, String)>, Vec<usize>) {
    let hint = "each question: `- question: …`, `options: [A 的内容, B 的内容]` (or none for a short answer), `answer: A`, `explanation: …`, `source: <source slug>`";
    let Value::Sequence(items) = value else {
        return (
            Value::Sequence(Vec::new()),
            vec![(
                name.to_string(),
                format!("expected a list of questions; {hint}"),
            )],
            Vec::new(),
        );
    };
    let mut good = Vec::new();
    let mut places = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("{name}.{i}");
        match serde_yaml::from_value::<super::Question>(item.clone()) {
            Ok(q) if q.question.trim().is_empty() || q.explanation.trim().is_empty() => problems
                .push((
                    path,
                    "a question needs its `question` and an `explanation`".into(),
                )),
            Ok(q) if !q.options.is_empty() && q.right_option().is_none() => problems.push((
                format!("{path}.answer"),
                format!(
                    "the answer `{}` is none of the {} options: give its letter (A–{}) or its text",
                    q.answer,
                    q.options.len(),
                    (b'A' + q.options.len().min(26) as u8 - 1) as char
                ),
            )),
            Ok(_) => {
                good.push(item);
                places.push(i);
            }
            Err(e) => {
                let message = e.to_string();
                let message = message
                    .split(", expected one of")
                    .next()
                    .unwrap_or(&message);
                problems.push((path, format!("{message}; {hint}")));
            }
        }
    }
    (Value::Sequence(good), problems, places)
}

/// `title, summary, …`: the fields a kind accepts, for hints.
fn fields_of(kind: Kind) -> String {
    FIELDS
        .iter()
        .filter(|f| f.accepts(kind))
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The body of a page file's text, as `Page::body` holds it; `None` without front matter.
pub fn body_of(text: &str) -> Option<String> {
    split(text).ok().map(|split| clean_body(split.body))
}

/// A NUL would end the text early in places that read it as a C string.
fn clean_body(body: &str) -> String {
    body.replace('\0', "\u{fffd}")
}

/// A fingerprint of a page's body, to notice a file that changed while being built (not a
/// defence against anyone: the author's own files).
pub fn body_hash(body: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    body.hash(&mut hasher);
    hasher.finish()
}

fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let problem =
        |message: &str, hint: &str| Diagnostic::error("", message).at_line(1).with_hint(hint);
    let missing = || {
        problem(
            "missing front matter",
            "start the file with `---`, the YAML fields (title, summary, …), and another `---`",
        )
    };
    let first_line_end = text.find('\n').ok_or_else(missing)?;
    if text[..first_line_end].trim_end() != "---" {
        return Err(missing());
    }
    let mut offset = first_line_end + 1;
    for (line_number, line) in (2..).zip(text[offset..].split_inclusive('\n')) {
        if line.trim_end() == "---" {
            return Ok(Split {
                front_matter: &text[first_line_end + 1..offset],
                front_matter_first_line: 2,
                body: &text[offset + line.len()..],
                body_first_line: line_number + 1,
            });
        }
        offset += line.len();
    }
    Err(problem(
        "front matter is not closed",
        "end the YAML fields with a line containing only `---`",
    ))
}

/// Checks the page's slug and declared kind.
fn check_identity(page: &Page) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let at = |path: &str| page.position_of(path);
    let error = |message: String, at: Position| {
        Diagnostic::error(&page.file, message).at(at.line, at.column)
    };
    if !is_valid_slug(&page.slug) {
        problems.push(
            error(format!("`{}` cannot be used as a slug", page.slug), at("slug"))
                .with_hint("a slug becomes a file name: no `/`, spaces, control characters, `?`, `#` or leading `.`"),
        );
    }
    if page.slug == "index" {
        problems.push(
            error(
                "the slug `index` is taken by the kind's index page".into(),
                at("slug"),
            )
            .with_hint("rename the file or set another `slug:`"),
        );
    }
    if let Some(declared) = &page.meta.kind {
        let kind = page.kind.slug();
        if declared != kind {
            let d = if Kind::from_slug(declared).is_none() {
                error(format!("unknown kind `{declared}`"), at("kind"))
                    .suggesting(declared, Kind::ALL.iter().map(|k| k.slug()))
            } else {
                error(
                    format!(
                        "`kind: {declared}` does not match the folder, which holds {kind} pages"
                    ),
                    at("kind"),
                )
                .with_hint("move the file to the folder of its kind, or remove the `kind` field")
            };
            problems.push(d);
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_body_not_held_is_read_again_and_a_changed_file_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("content/problems");
        std::fs::create_dir_all(&folder).unwrap();
        let text = "---\ntitle: 甲\nsummary: 乙\nlevel: a\n---\n正文\0一段\n";
        std::fs::write(folder.join("a.md"), text).unwrap();
        let (page, _) = read_page(&source(Kind::Problem, text));
        let mut page = page.unwrap();
        assert_eq!(page.body, "正文\u{fffd}一段\n");
        page.body = String::new();
        assert_eq!(page.body_text(root.path()).unwrap(), "正文\u{fffd}一段\n");
        // Front matter may change without the body: the body is what rendering needs.
        let retitled = text.replace("title: 甲", "title: 丙");
        std::fs::write(folder.join("a.md"), retitled).unwrap();
        assert!(page.body_text(root.path()).is_ok());
        std::fs::write(folder.join("a.md"), text.replace("一段", "两段")).unwrap();
        let problem = page.body_text(root.path()).unwrap_err();
        assert!(problem
            .to_string()
            .contains("changed while the site was being built"));
        let mut not_utf8 = text.as_bytes().to_vec();
        not_utf8.extend([0xff, 0xfe]);
        std::fs::write(folder.join("a.md"), not_utf8).unwrap();
        let problem = page.body_text(root.path()).unwrap_err();
        assert!(problem.to_string().contains("changed while"), "{problem}");
        std::fs::remove_file(folder.join("a.md")).unwrap();
        let problem = page.body_text(root.path()).unwrap_err();
        assert!(problem.to_string().contains("cannot read it again"));
    }

    fn source(kind: Kind, text: &str) -> SourceFile {
        SourceFile {
            kind,
            file: PathBuf::from("content/problems/a.md"),
            content_path: "problems/a.md".into(),
            text: text.into(),
        }
    }

    fn lines(errors: &[Diagnostic]) -> Vec<(usize, &str)> {
        errors
            .iter()
            .map(|d| (d.line.unwrap_or(0), d.message.as_str()))
            .collect()
    }

    #[test]
    fn body_and_front_matter_keep_their_file_lines() {
        let page = parse_page(&source(
            Kind::Problem,
            "---\ntitle: 甲\nsummary: 乙\nlevel: x\n---\n\n# 正文\n",
        ))
        .unwrap();
        assert_eq!(page.body_first_line, 6);
        assert_eq!(page.position_of("level").line, 4);
        assert_eq!(page.slug, "a");
    }

    #[test]
    fn every_problem_of_a_file_is_reported_at_once() {
        let errors = parse_page(&source(
            Kind::Problem,
            "---\ntitle: 甲\ntgas: [x]\nsorces: [y]\nplace: 某地\norder: many\n---\n",
        ))
        .unwrap_err();
        assert_eq!(
            lines(&errors),
            [
                (3, "invalid front matter: unknown field `tgas`"),
                (4, "invalid front matter: unknown field `sorces`"),
                (5, "`place` is not a field of problem pages"),
                (
                    6,
                    "`order`: invalid type: string \"many\", expected a whole number"
                ),
                (2, "missing required field `summary`"),
                (2, "missing required field `level`"),
            ]
        );
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `tags`?"));
        assert_eq!(errors[1].hint.as_deref(), Some("did you mean `sources`?"));
    }

    #[test]
    fn a_null_title_is_a_missing_title() {
        for title in ["null", "~", "\"\"", "\"  \""] {
            let errors = parse_page(&source(Kind::Guide, &format!("---\ntitle: {title}\n---\n")))
                .unwrap_err();
            assert_eq!(
                lines(&errors),
                [(2, "missing required field `title`")],
                "{title}"
            );
        }
    }

    #[test]
    fn numbers_and_flags_are_text_where_text_is_expected() {
        let page = parse_page(&source(
            Kind::Guide,
            "---\ntitle: 2024\naliases: [1, true]\n---\n",
        ))
        .unwrap();
        assert_eq!(page.meta.title, "2024");
        assert_eq!(page.meta.aliases, ["1", "true"]);
    }

    #[test]
    fn a_single_slug_where_a_list_belongs_gets_a_hint() {
        let errors = parse_page(&source(
            Kind::Guide,
            "---\ntitle: x\ntags: formalism\n---\n",
        ))
        .unwrap_err();
        assert_eq!(
            lines(&errors),
            [(
                3,
                "`tags`: expected a list, e.g. `[a, b]` or one `- a` per line"
            )]
        );
    }

    #[test]
    fn missing_front_matter_is_reported_on_line_one() {
        let errors = parse_page(&source(Kind::Guide, "# 标题\n")).unwrap_err();
        assert_eq!(errors[0].line, Some(1));
        assert!(errors[0].message.contains("missing front matter"));
    }

    #[test]
    fn a_nul_byte_in_the_body_becomes_a_replacement_character() {
        let page = parse_page(&source(Kind::Guide, "---\ntitle: x\n---\na\0b\n")).unwrap();
        assert_eq!(page.body, "a\u{fffd}b\n");
    }
}
