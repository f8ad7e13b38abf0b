//! The glossary that links itself: every title or alias of a responsibility type, problem
//! category or countermeasure, and every tag name, is linked at its first mention in the
//! text of other pages, with a small card (title and summary) to read without leaving.
//!
//! One Aho-Corasick automaton over all terms finds, once per page, which terms its text
//! holds (leftmost, longest first), so the cost grows with the text, not with the number of
//! terms. Terms
//! shorter than two characters are not linked; an author can switch linking off for a page
//! (`autolink: false`) or for terms (`autolink_exclude:` in site.yaml).

use aho_corasick::{AhoCorasick, MatchKind};

use crate::content::Kind;
use crate::site::PageId;

/// Kinds whose titles and aliases are glossary terms.
pub const TERM_KINDS: [Kind; 3] = [Kind::Responsibility, Kind::Problem, Kind::Countermeasure];

/// Where a term leads: a page, or a tag's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TermTarget {
    Page(PageId),
    /// A tag, by its index in the configuration.
    Tag(usize),
}

/// A term found in a text: its byte range and where it leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub target: TermTarget,
}

/// The glossary terms one page's text holds, by their number in the glossary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageTerms {
    ids: Vec<u32>,
}

/// All terms of a site, ready to be found in text.
#[derive(Clone)]
pub struct Glossary {
    automaton: Option<AhoCorasick>,
    targets: Vec<TermTarget>,
    pub terms: Vec<String>,
}

impl std::fmt::Debug for Glossary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Glossary({} terms)", self.terms.len())
    }
}

impl Glossary {
    /// `terms`: (term, target); the first target of a repeated term wins.
    pub fn new(terms: Vec<(String, TermTarget)>, exclude: &[String]) -> Glossary {
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<(String, TermTarget)> = Vec::new();
        for (term, target) in terms {
            let term = term.trim().to_string();
            if term.chars().count() >= 2 && !exclude.contains(&term) && seen.insert(term.clone()) {
                kept.push((term, target));
            }
        }
        let automaton = (!kept.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(kept.iter().map(|(t, _)| t.as_str()))
                    .ok()
            })
            .flatten();
        let (terms, targets) = kept.into_iter().unzip();
        Glossary {
            automaton,
            targets,
            terms,
        }
    }

    /// The terms `text` holds.
    pub fn found_in(&self, text: &str) -> PageTerms {
        let mut ids: Vec<u32> = self
            .automaton
            .iter()
            .flat_map(|automaton| automaton.find_iter(text))
            .map(|m| m.pattern().as_u32())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        PageTerms { ids }
    }

    /// The pages (other than `own`) whose terms are among `found`, sorted.
    pub fn pages_among(&self, found: &PageTerms, own: PageId) -> Vec<PageId> {
        let mut pages: Vec<PageId> = found
            .ids
            .iter()
            .filter_map(|&i| match self.targets[i as usize] {
                TermTarget::Page(target) if target != own => Some(target),
                _ => None,
            })
            .collect();
        pages.sort_unstable();
        pages.dedup();
        pages
    }

    /// Every mention of a term in `text`, leftmost-longest, in order.
    pub fn mentions<'a>(&'a self, text: &'a str) -> impl Iterator<Item = Mention> + 'a {
        self.automaton
            .iter()
            .flat_map(move |automaton| automaton.find_iter(text))
            .map(|m| Mention {
                start: m.start(),
                end: m.end(),
                target: self.targets[m.pattern().as_usize()],
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_term_wins_and_short_or_excluded_terms_are_not_found() {
        let glossary = Glossary::new(
            vec![
                ("责任".into(), TermTarget::Page(0)),
                ("主体责任".into(), TermTarget::Page(1)),
                ("责".into(), TermTarget::Page(2)),
                ("一岗双责".into(), TermTarget::Tag(0)),
            ],
            &["责任".to_string()],
        );
        let text = "落实主体责任和一岗双责，责任在肩。";
        let found: Vec<(&str, TermTarget)> = glossary
            .mentions(text)
            .map(|m| (&text[m.start..m.end], m.target))
            .collect();
        assert_eq!(
            found,
            [
                ("主体责任", TermTarget::Page(1)),
                ("一岗双责", TermTarget::Tag(0))
            ]
        );
    }
}
