//! The one place that knows which YAML library we use (config and front matter).
//!
//! `serde_yaml` is archived upstream; keeping it behind this module means a maintained fork
//! is a one-line change here. Errors are translated into positions in the *whole file*: front
//! matter starts a few lines into a Markdown file, and authors need the line their editor shows.

use serde::de::DeserializeOwned;

/// A YAML problem with its position in the file the YAML came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// 1-based line in the whole file, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column, when the parser knows it.
    pub column: Option<usize>,
}

/// Parses `text`, which starts at line `first_line` (1-based) of its file.
pub fn parse_at<T: DeserializeOwned>(text: &str, first_line: usize) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|error| {
        let location = error.location();
        YamlError {
            message: message_without_position(&error.to_string()),
            line: location.as_ref().map(|l| l.line() + first_line - 1),
            column: location.as_ref().map(|l| l.column()),
        }
    })
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
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        title: String,
    }

    #[test]
    fn error_lines_count_from_the_top_of_the_file() {
        let error = parse_at::<Sample>("title: a\ntgas: [x]\n", 2).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("tgas"), "{}", error.message);
        assert!(!error.message.contains(" at line "));
    }
}
