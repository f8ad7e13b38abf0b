//! The one place that knows how YAML is read (site configuration and front matter).
//!
//! Two parsers, each for what it does best. `saphyr-parser` walks the text as events with
//! positions: it finds the file line and column of every key and list item (so every
//! message names the exact place), refuses anchors and aliases before anything expands
//! them (a few kilobytes of `*alias` can otherwise expand to gigabytes), and reports
//! duplicate keys at their second occurrence. `serde_yaml` then reads the values, which the
//! callers convert field by field, so that one bad field never hides another.
//!
//! Positions are file positions: front matter starts a few lines into a Markdown file, and
//! authors need the line their editor shows.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScanError, Span};
use serde_yaml::Value;

/// A YAML problem with its position in the file the YAML came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// 1-based line in the whole file, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub hint: Option<String>,
}

/// A 1-based line and column in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Where each key and value of a document stands, by path: `tags` is the value of the
/// top-level key `tags`, `tags.2` its third item, `units.0.pages` a nested value; the
/// key itself is under the same path with `key:` in front (`key:tags`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    by_path: HashMap<String, Position>,
    /// Top-level keys in the order written.
    keys: Vec<String>,
}

impl Positions {
    /// The position of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Position> {
        self.by_path.get(path).copied()
    }

    /// The position of the top-level (or nested, by path) key.
    pub fn key(&self, path: &str) -> Option<Position> {
        self.by_path.get(&format!("key:{path}")).copied()
    }

    /// The top-level keys, in the order they are written.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

/// A parsed document: the values, and where each stands.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub positions: Positions,
}

/// Parses `text`, which starts at line `first_line` (1-based) of its file.
pub fn parse(text: &str, first_line: usize) -> Result<Document, YamlError> {
    let positions = scan(text, first_line)?;
    let value = serde_yaml::from_str::<Value>(text).map_err(|error| {
        let location = error.location();
        YamlError {
            message: message_without_position(&error.to_string()),
            line: location.as_ref().map(|l| l.line() + first_line - 1),
            column: location.as_ref().map(|l| l.column()),
            hint: None,
        }
    })?;
    Ok(Document { value, positions })
}

/// One open collection while walking the events.
enum Open {
    /// A mapping: its path, and the key whose value comes next (if a key was just read).
    Map {
        path: String,
        key: Option<String>,
        seen: Vec<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

/// Walks the events once, recording the position of every key and value.
fn scan(text: &str, first_line: usize) -> Result<Positions, YamlError> {
    let mut positions = Positions::default();
    let mut stack: Vec<Open> = Vec::new();
    let at = |span: &Span| Position {
        line: span.start.line() + first_line - 1,
        column: span.start.col() + 1,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&e, text, first_line))?;
        let anchor = match &event {
            Event::Alias(_) => true,
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(anchor, _)
            | Event::MappingStart(anchor, _) => *anchor != 0,
            _ => false,
        };
        if anchor {
            let position = at(&span);
            return Err(YamlError {
                message: "anchors and aliases (`&name`, `*name`) are not allowed".into(),
                line: Some(position.line),
                column: Some(position.column),
                hint: Some("write the value out in full where it is needed".into()),
            });
        }
        match event {
            Event::Scalar(text, ..) => {
                if let Some(Open::Map { path, key, seen }) = stack.last_mut() {
                    if key.is_none() {
                        let full = join(path, &text);
                        if seen.contains(&full) {
                            let position = at(&span);
                            return Err(YamlError {
                                message: format!("the key `{text}` appears twice"),
                                line: Some(position.line),
                                column: Some(position.column),
                                hint: Some("keep one of them".into()),
                            });
                        }
                        if path.is_empty() {
                            positions.keys.push(text.to_string());
                        }
                        positions.by_path.insert(format!("key:{full}"), at(&span));
                        seen.push(full.clone());
                        *key = Some(full);
                        continue;
                    }
                }
                let path = value_path(&mut stack);
                positions.by_path.insert(path, at(&span));
            }
            Event::SequenceStart(..) => {
                let path = value_path(&mut stack);
                positions.by_path.insert(path.clone(), at(&span));
                stack.push(Open::Seq { path, next: 0 });
            }
            Event::MappingStart(..) => {
                let path = value_path(&mut stack);
                if !path.is_empty() {
                    positions.by_path.insert(path.clone(), at(&span));
                }
                stack.push(Open::Map {
                    path,
                    key: None,
                    seen: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    Ok(positions)
}

/// The path of the value that starts now, advancing the enclosing collection.
fn value_path(stack: &mut [Open]) -> String {
    match stack.last_mut() {
        Some(Open::Map { key, .. }) => key.take().unwrap_or_default(),
        Some(Open::Seq { path, next }) => {
            *next += 1;
            join(path, &(*next - 1).to_string())
        }
        None => String::new(),
    }
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_string()
    } else {
        format!("{path}.{part}")
    }
}

fn scan_error(error: &ScanError, text: &str, first_line: usize) -> YamlError {
    let marker = error.marker();
    let line_text = text
        .lines()
        .nth(marker.line().saturating_sub(1))
        .unwrap_or("");
    let previous_line = text
        .lines()
        .nth(marker.line().saturating_sub(2))
        .unwrap_or("");
    let full_width_colon = |line: &str| {
        let key = line.trim_start().trim_start_matches("- ");
        key.split_once('：').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    };
    let hint = if line_text.starts_with('\t') || line_text.contains(":\t") {
        "YAML does not allow tabs for indentation: indent with spaces"
    } else if full_width_colon(line_text) || full_width_colon(previous_line) {
        "a key is followed by the full-width colon `：`: write the ASCII colon and a space, e.g. `title: 标题`"
    } else {
        "check this line and the one before it: an unclosed `[`, `{` or quote, or a missing space after `:`"
    };
    YamlError {
        message: error.info().to_string(),
        line: Some(marker.line() + first_line - 1),
        column: Some(marker.col() + 1),
        hint: Some(hint.to_string()),
    }
}

/// serde_yaml appends " at line L column C" (relative to the fragment); we report our own.
fn message_without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn every_key_and_item_has_its_file_position() {
        let text = "title: ex\nsummary: x\ntags:\n  - a\n  - ex\nunits:\n  - { title: u, pages: [p/a, p/b] }\n";
        let doc = parse(text, 2).unwrap();
        let p = &doc.positions;
        assert_eq!(p.keys(), ["title", "summary", "tags", "units"]);
        assert_eq!(p.key("tags"), position(4, 1));
        assert_eq!(p.value("title"), position(2, 8));
        assert_eq!(p.value("tags.1"), position(6, 5));
        assert_eq!(p.value("units.0.pages.1"), position(8, 30));
        assert_eq!(p.key("units.0.title"), position(8, 7));
    }

    #[test]
    fn anchors_and_aliases_are_refused_before_expansion() {
        let text = "title: &t long\naliases: [*t, *t]\n";
        let error = parse(text, 2).unwrap_err();
        assert_eq!((error.line, error.column), (Some(2), Some(8)));
        assert!(error.message.contains("anchors and aliases"));
    }

    #[test]
    fn a_duplicate_key_is_reported_where_it_repeats() {
        let error = parse("title: a\nsummary: b\ntitle: c\n", 1).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("`title` appears twice"));
    }

    #[test]
    fn tabs_get_a_hint() {
        let error = parse("tags:\n\t- a\n", 1).unwrap_err();
        assert!(error.hint.unwrap().contains("tabs"), "{}", error.message);
    }

    #[test]
    fn syntax_errors_count_lines_from_the_top_of_the_file() {
        let error = parse("title: a\nsummary: [unclosed\nlevel: x\n", 2).unwrap_err();
        assert!(matches!(error.line, Some(3..=5)), "{error:?}");
    }
}
