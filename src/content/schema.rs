//! The front-matter schema: every field, its shape, which kinds accept it, which require it.
//!
//! This table is the one place a field is declared. The `front_matter!` invocation below
//! generates the typed `FrontMatter` struct, the `FIELDS` table the parser and the linker
//! read, and the code that fills a field from YAML. Adding a field to a kind is one line
//! here plus its use in a template (and, for a new reference field, a label in the theme's
//! `strings.yaml`).

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use super::Kind;

/// What a field's value looks like, and what the linker checks it against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Free text (a number or `true` is taken as its text).
    Text,
    /// A list of free texts.
    TextList,
    /// A whole number.
    Integer,
    /// A number (`1.5`).
    Number,
    /// A course's units: title, pages (`folder/slug`), minutes, notes, questions.
    Units,
    /// Self-test questions: question, options, answer, explanation, source.
    Quiz,
    /// `true` or `false`.
    Flag,
    /// The slug of a level in `site.yaml`.
    Level,
    /// Slugs of tags in `site.yaml`.
    Tags,
    /// Slugs of pages of the target kind.
    References(Target),
}

/// The kind a reference field points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Kind(Kind),
    /// `related`: pages of the same kind for responsibility types and countermeasures,
    /// problem categories otherwise.
    Related,
}

impl Target {
    /// The kind of the pages a field of a `from` page names.
    pub fn kind_for(self, from: Kind) -> Kind {
        match self {
            Target::Kind(kind) => kind,
            Target::Related => match from {
                Kind::Responsibility | Kind::Countermeasure => from,
                _ => Kind::Problem,
            },
        }
    }
}

/// One front-matter field.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    /// The kinds that accept it.
    pub kinds: &'static [Kind],
    /// The kinds that require it.
    pub required: &'static [Kind],
}

impl Field {
    pub fn accepts(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    pub fn is_required(&self, kind: Kind) -> bool {
        self.required.contains(&kind)
    }
}

const ALL: &[Kind] = &Kind::ALL;
const NONE: &[Kind] = &[];
const ALL_BUT_GUIDE: &[Kind] = &[
    Kind::Responsibility,
    Kind::Problem,
    Kind::Countermeasure,
    Kind::Case,
    Kind::Source,
    Kind::Course,
];
const COURSE: &[Kind] = &[Kind::Course];
const GUIDE: &[Kind] = &[Kind::Guide];
const RESPONSIBILITY: &[Kind] = &[Kind::Responsibility];
const PROBLEM: &[Kind] = &[Kind::Problem];
const CASE: &[Kind] = &[Kind::Case];
const SOURCE: &[Kind] = &[Kind::Source];
const CASE_OR_SOURCE: &[Kind] = &[Kind::Case, Kind::Source];
const RELATED: &[Kind] = &[Kind::Responsibility, Kind::Problem, Kind::Countermeasure];
const NAMES_RESPONSIBILITIES: &[Kind] = &[Kind::Problem, Kind::Countermeasure, Kind::Case];
const NAMES_PROBLEMS: &[Kind] = &[Kind::Countermeasure, Kind::Case];
const NAMES_COUNTERMEASURES: &[Kind] = &[Kind::Problem, Kind::Case];

macro_rules! front_matter {
    ($( $(#[doc = $doc:literal])* $name:ident : $ty:ty = $shape:expr, for $kinds:expr, required $required:expr; )*) => {
        /// A page's front matter: every field any kind accepts, filled from the YAML.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct FrontMatter {
            $( $(#[doc = $doc])* pub $name: $ty, )*
        }

        /// Every field, in the order of `FrontMatter`.
        pub const FIELDS: &[Field] = &[
            $( Field { name: stringify!($name), shape: $shape, kinds: $kinds, required: $required }, )*
        ];

        impl FrontMatter {
            /// Sets the field `name` from its YAML value; the message says what is wrong.
            pub(super) fn assign(&mut self, field: &Field, value: Value) -> Result<(), String> {
                match field.name {
                    $( stringify!($name) => self.$name = convert(field.shape, value)?, )*
                    _ => {}
                }
                Ok(())
            }

            /// The field's value as texts (slugs for levels, tags and references).
            pub fn texts(&self, name: &str) -> Vec<&str> {
                match name {
                    $( stringify!($name) => Texts::texts(&self.$name), )*
                    _ => Vec::new(),
                }
            }

            /// Whether the field has a value (not blank, not empty): what "required" asks.
            pub fn is_set(&self, name: &str) -> bool {
                match name {
                    $( stringify!($name) => Present::present(&self.$name), )*
                    _ => false,
                }
            }
        }
    };
}

front_matter! {
    /// Shown as the page's heading and in every link to it.
    title: String = Shape::Text, for ALL, required ALL;
    /// What citations and empty `@/` links show, e.g. 《存在的问题及整改措施》（2025）.
    short_title: Option<String> = Shape::Text, for ALL, required NONE;
    /// The file name part of the URL; default: the file name without `.md`.
    slug: Option<String> = Shape::Text, for ALL, required NONE;
    /// Optional; must match the folder.
    kind: Option<String> = Shape::Text, for ALL, required NONE;
    summary: String = Shape::Text, for ALL, required ALL_BUT_GUIDE;
    tags: Vec<String> = Shape::Tags, for ALL, required NONE;
    /// Other names: shown, and searchable.
    aliases: Vec<String> = Shape::TextList, for ALL, required NONE;
    /// Reading order inside the kind (then by slug).
    order: Option<i64> = Shape::Integer, for ALL, required NONE;
    sources: Vec<String> = Shape::References(Target::Kind(Kind::Source)), for ALL, required NONE;
    /// 承担主体.
    bearer: Option<String> = Shape::Text, for RESPONSIBILITY, required NONE;
    level: Option<String> = Shape::Level, for PROBLEM, required PROBLEM;
    responsibilities: Vec<String> = Shape::References(Target::Kind(Kind::Responsibility)), for NAMES_RESPONSIBILITIES, required NONE;
    problems: Vec<String> = Shape::References(Target::Kind(Kind::Problem)), for NAMES_PROBLEMS, required NONE;
    countermeasures: Vec<String> = Shape::References(Target::Kind(Kind::Countermeasure)), for NAMES_COUNTERMEASURES, required NONE;
    related: Vec<String> = Shape::References(Target::Related), for RELATED, required NONE;
    place: Option<String> = Shape::Text, for CASE, required CASE;
    date: Option<String> = Shape::Text, for CASE_OR_SOURCE, required NONE;
    /// An unnamed example from a source, not a named local practice.
    illustrative: bool = Shape::Flag, for CASE, required NONE;
    publisher: Option<String> = Shape::Text, for SOURCE, required SOURCE;
    author: Option<String> = Shape::Text, for SOURCE, required NONE;
    /// 对象: who the course is for.
    audience: Option<String> = Shape::Text, for COURSE, required COURSE;
    /// 学时: the course's length in class periods (`period_minutes` each, see site.yaml).
    duration: Option<f64> = Shape::Number, for COURSE, required COURSE;
    /// 教学目标.
    objectives: Vec<String> = Shape::TextList, for COURSE, required NONE;
    /// The course's units, in teaching order.
    units: Vec<Unit> = Shape::Units, for COURSE, required COURSE;
    /// 自查清单: yes/no items to check oneself against the problem's manifestations.
    checklist: Vec<String> = Shape::TextList, for PROBLEM, required NONE;
    /// 自测题, each with its answer, an explanation and the source it comes from.
    quiz: Vec<Question> = Shape::Quiz, for ALL, required NONE;
    /// `false`: glossary terms are not linked in this page's text.
    autolink: Option<bool> = Shape::Flag, for ALL, required NONE;
    /// 最后更新 (e.g. `2026-11-30`); without it, the file's last commit date in git.
    updated: Option<String> = Shape::Text, for ALL, required NONE;
    /// `true`: the guide is listed in the site's main navigation (e.g. 学习路径).
    menu: Option<bool> = Shape::Flag, for GUIDE, required NONE;
    /// A case's mechanism in a few words, for the comparison of cases.
    mechanism: Option<String> = Shape::Text, for CASE, required NONE;
    /// A case's figures as its source gives them, for the comparison of cases.
    figures: Vec<String> = Shape::TextList, for CASE, required NONE;
}

/// One self-test question. With `options`, `answer` is the letter (A, B, …) or the text of
/// the right option; without, it is the short answer shown after trying.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub question: String,
    #[serde(default)]
    pub options: Vec<String>,
    pub answer: String,
    pub explanation: String,
    /// The slug of the source page the answer comes from.
    pub source: String,
    /// Its place in the file's list (for positions in messages).
    #[serde(skip)]
    pub at: usize,
}

impl Question {
    /// The index of the right option: `answer` as a letter or as the option's text.
    pub fn right_option(&self) -> Option<usize> {
        let answer = self.answer.trim();
        let mut letters = answer.chars();
        if let (Some(letter), None) = (letters.next(), letters.next()) {
            let index = (letter.to_ascii_uppercase() as usize).wrapping_sub('A' as usize);
            if index < self.options.len() {
                return Some(index);
            }
        }
        self.options.iter().position(|o| o.trim() == answer)
    }
}

/// One unit of a course.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub title: String,
    /// The pages it covers, as `folder/slug` (e.g. `problems/formalistic-implementation`).
    #[serde(default)]
    pub pages: Vec<String>,
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Notes for the trainer (Markdown is not rendered; shown as text).
    #[serde(default)]
    pub notes: Option<String>,
    /// 讨论题.
    #[serde(default)]
    pub questions: Vec<String>,
    /// Its place in the file's list (for positions in messages).
    #[serde(skip)]
    pub at: usize,
}

/// The field named `name`, if there is one.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Reads a value of the field's type; free text also takes numbers and `true`/`false`.
fn convert<T: DeserializeOwned>(shape: Shape, value: Value) -> Result<T, String> {
    let value = match (shape, value) {
        (Shape::Text | Shape::Level, scalar @ (Value::Number(_) | Value::Bool(_))) => {
            Value::String(scalar_text(&scalar))
        }
        (Shape::TextList | Shape::Tags | Shape::References(_), Value::Sequence(items)) => {
            Value::Sequence(
                items
                    .into_iter()
                    .map(|item| match item {
                        scalar @ (Value::Number(_) | Value::Bool(_)) => {
                            Value::String(scalar_text(&scalar))
                        }
                        other => other,
                    })
                    .collect(),
            )
        }
        (Shape::TextList | Shape::Tags | Shape::References(_), Value::String(_)) => {
            return Err("expected a list, e.g. `[a, b]` or one `- a` per line".into())
        }
        (_, value) => value,
    };
    serde_yaml::from_value(value).map_err(|e| plain_words(&e.to_string()))
}

/// serde's type names in words an author knows.
fn plain_words(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected `true` or `false`")
        .replace("expected a string", "expected text")
        .replace("expected a sequence", "expected a list")
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// Whether a value counts as given.
trait Present {
    fn present(&self) -> bool;
}

impl Present for String {
    fn present(&self) -> bool {
        !self.trim().is_empty()
    }
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
}

impl<T> Present for Vec<T> {
    fn present(&self) -> bool {
        !self.is_empty()
    }
}

impl Present for bool {
    fn present(&self) -> bool {
        true
    }
}

/// A field's value as the texts the linker checks (empty for numbers and flags).
trait Texts {
    fn texts(&self) -> Vec<&str>;
}

impl Texts for String {
    fn texts(&self) -> Vec<&str> {
        vec![self.as_str()]
    }
}

impl Texts for Option<String> {
    fn texts(&self) -> Vec<&str> {
        self.iter().map(String::as_str).collect()
    }
}

impl Texts for Vec<String> {
    fn texts(&self) -> Vec<&str> {
        self.iter().map(String::as_str).collect()
    }
}

impl Texts for Option<i64> {
    fn texts(&self) -> Vec<&str> {
        Vec::new()
    }
}

impl Texts for Option<f64> {
    fn texts(&self) -> Vec<&str> {
        Vec::new()
    }
}

impl Texts for Vec<Unit> {
    /// A course without units has none: what "required" checks.
    fn texts(&self) -> Vec<&str> {
        self.iter().map(|u| u.title.as_str()).collect()
    }
}

impl Texts for Vec<Question> {
    fn texts(&self) -> Vec<&str> {
        self.iter().map(|q| q.question.as_str()).collect()
    }
}

impl Texts for Option<bool> {
    fn texts(&self) -> Vec<&str> {
        Vec::new()
    }
}

impl Texts for bool {
    fn texts(&self) -> Vec<&str> {
        Vec::new()
    }
}
