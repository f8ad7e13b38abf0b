//! The knowledge base shipped in `content/`: it builds with zero warnings and covers what the
//! source documents give, checked from the generated site's data rather than by reading files.

use std::collections::BTreeSet;
use std::path::Path;

use policykb::content::{Kind, Page};
use policykb::site::Site;
use policykb::{build_site, BuildOptions, BuildReport};

/// The bundled knowledge base, checked (nothing written).
struct Bundled {
    report: BuildReport,
    site: Site,
}

fn bundled() -> Bundled {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match build_site(&BuildOptions {
        root: root.to_path_buf(),
        output: None,
        pdf_browser: None,
    }) {
        Ok((report, site)) => Bundled { report, site },
        Err(failure) => panic!(
            "the bundled knowledge base does not build:\n{:#?}",
            failure.diagnostics
        ),
    }
}

/// The pages of one kind with their ids, in reading order.
fn pages(site: &Site, kind: Kind) -> impl Iterator<Item = (usize, &Page)> {
    site.pages_of(kind)
        .iter()
        .map(move |&id| (id, site.page(id)))
}

fn titles(site: &Site, kind: Kind) -> BTreeSet<String> {
    pages(site, kind)
        .map(|(_, p)| p.meta.title.clone())
        .collect()
}

fn references(site: &Site, index: usize, field: &str) -> Vec<usize> {
    site.pages[index].referenced(field).to_vec()
}

#[test]
fn builds_with_zero_warnings() {
    let report = bundled();
    let warnings: Vec<String> = report
        .report
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert!(warnings.is_empty(), "{}", warnings.join("\n"));
}

#[test]
fn the_twelve_problem_categories_sit_under_their_levels() {
    // Document 000 groups twelve categories into six levels, two each.
    let expected = [
        ("责任认知", ["思想认识错位", "主体责任意识淡薄"]),
        ("责任落实", ["工作推进形式化", "基层党建弱化虚化"]),
        ("责任追究", ["问责力度不足", "问责精准度不够"]),
        ("制度执行", ["制度形同虚设", "制度衔接不畅"]),
        ("责任传导", ["压力传导层层递减", "责任分解不清晰"]),
        ("示范引领", ["领导干部表率作用发挥不够", "以上率下带动不足"]),
    ];
    let report = bundled();
    let site = &report.site;
    assert_eq!(site.pages_of(Kind::Problem).len(), 12);
    let level_names: Vec<&str> = site.config.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(level_names, expected.map(|(level, _)| level));
    for (level_name, problems) in expected {
        let level = site
            .config
            .levels
            .iter()
            .find(|l| l.name == level_name)
            .unwrap();
        let under: BTreeSet<&str> = pages(site, Kind::Problem)
            .filter(|(_, p)| p.meta.level.as_deref() == Some(level.slug.as_str()))
            .map(|(_, p)| p.meta.title.as_str())
            .collect();
        assert_eq!(under, BTreeSet::from(problems), "level {level_name}");
    }
}

#[test]
fn every_problem_has_countermeasures_responsibilities_sources_and_an_example() {
    let report = bundled();
    let site = &report.site;
    for (index, page) in pages(site, Kind::Problem) {
        let title = &page.meta.title;
        assert!(
            !references(site, index, "countermeasures").is_empty(),
            "{title}: no countermeasure"
        );
        assert!(
            !references(site, index, "responsibilities").is_empty(),
            "{title}: no responsibility type"
        );
        assert!(
            !references(site, index, "sources").is_empty(),
            "{title}: no source"
        );
        let cases = site.pages[index]
            .backlinks
            .iter()
            .filter(|&&i| site.page(i).kind == Kind::Case)
            .count();
        assert!(cases >= 1, "{title}: no case illustrates it");
        for section in ["表现", "危害"] {
            assert!(
                page.body.contains(&format!("## {section}")),
                "{title}: no section {section}"
            );
        }
    }
    // The short name readers use finds the long title.
    let exemplary = pages(site, Kind::Problem)
        .find(|(_, p)| p.meta.title == "领导干部表率作用发挥不够")
        .unwrap()
        .1;
    assert!(exemplary.meta.aliases.iter().any(|a| a == "表率作用不足"));
}

#[test]
fn the_responsibility_types_the_sources_name_are_present() {
    let report = bundled();
    let all = titles(&report.site, Kind::Responsibility)
        .into_iter()
        .collect::<Vec<_>>()
        .join(" | ");
    for needle in [
        "主体责任",
        "第一责任人",
        "一岗双责",
        "监督责任",
        "监管责任",
        "直接责任",
    ] {
        assert!(
            all.contains(needle),
            "no responsibility type about {needle}: {all}"
        );
    }
}

#[test]
fn every_countermeasure_addresses_a_problem_and_names_who_carries_it() {
    let report = bundled();
    let site = &report.site;
    assert!(site.pages_of(Kind::Countermeasure).len() >= 15);
    for (index, page) in pages(site, Kind::Countermeasure) {
        let addresses = references(site, index, "problems").len()
            + site.pages[index]
                .backlinks
                .iter()
                .filter(|&&i| site.page(i).kind == Kind::Problem)
                .count();
        assert!(addresses > 0, "{}: addresses no problem", page.meta.title);
        assert!(
            !references(site, index, "responsibilities").is_empty(),
            "{}: no bearer",
            page.meta.title
        );
    }
}

#[test]
fn the_eight_local_practices_and_the_illustrative_examples_are_cases() {
    let report = bundled();
    let site = &report.site;
    let cases: Vec<_> = pages(site, Kind::Case).map(|(_, p)| p).collect();
    for place in [
        "安阳", "广州", "宜兴", "德州", "南京", "景洪", "尤溪", "东阳",
    ] {
        let found = cases
            .iter()
            .find(|c| c.meta.place.as_deref().unwrap_or_default().contains(place));
        let case = found.unwrap_or_else(|| panic!("no case from {place}"));
        assert!(!case.meta.illustrative, "{place} is a named practice");
        // The eight practices come from the CCDI article (document 004).
        assert!(
            case.meta
                .sources
                .iter()
                .any(|s| s == "ccdi-political-responsibility-2025"),
            "{place}: does not cite document 004"
        );
    }
    let illustrative = cases.iter().filter(|c| c.meta.illustrative).count();
    assert!(
        illustrative >= 12,
        "only {illustrative} illustrative examples from document 000"
    );
    for case in cases.iter().filter(|c| c.meta.illustrative) {
        assert!(
            case.meta.title.starts_with("未具名示例"),
            "{}: not labelled as an example",
            case.meta.title
        );
    }
    for case in &cases {
        assert!(
            case.meta
                .place
                .as_deref()
                .is_some_and(|p| !p.trim().is_empty()),
            "{}: no place",
            case.meta.title
        );
        assert!(
            !case.meta.sources.is_empty(),
            "{}: no source",
            case.meta.title
        );
    }
}

#[test]
fn every_source_document_has_a_page_and_every_page_cites_one() {
    let report = bundled();
    let site = &report.site;
    let sources: Vec<_> = pages(site, Kind::Source).map(|(_, p)| p).collect();
    assert_eq!(sources.len(), 5, "one page per document in shared/seeds");
    for source in &sources {
        assert!(
            source
                .meta
                .publisher
                .as_deref()
                .is_some_and(|p| !p.is_empty()),
            "{}",
            source.meta.title
        );
    }
    for page in site.pages.iter().map(|r| &r.page) {
        if matches!(page.kind, Kind::Source | Kind::Guide) {
            continue;
        }
        assert!(
            !page.meta.sources.is_empty(),
            "{} cites no source",
            page.file.display()
        );
    }
}

#[test]
fn tags_are_a_deliberate_vocabulary_and_each_tag_page_is_worth_visiting() {
    let report = bundled();
    let site = &report.site;
    let count = site.config.tags.len();
    assert!((10..=60).contains(&count), "{count} tags");
    for (slug, members) in &site.tags {
        let kinds: BTreeSet<Kind> = members.iter().map(|&i| site.page(i).kind).collect();
        assert!(
            members.len() >= 2,
            "tag {slug} has {} page(s)",
            members.len()
        );
        assert!(kinds.len() >= 2, "tag {slug} does not cross-link kinds");
        assert!(
            !site.config.tag(slug).unwrap().description.is_empty(),
            "tag {slug} has no description"
        );
    }
}

#[test]
fn there_are_reading_paths_for_a_course() {
    let report = bundled();
    let guides = titles(&report.site, Kind::Guide)
        .into_iter()
        .collect::<Vec<_>>()
        .join(" | ");
    assert!(
        guides.contains("学习路径") || guides.contains("课程"),
        "{guides}"
    );
}

/// Copy check: no run of more than 20 characters of a page (front matter and body) is
/// shared with a source document, after normalising (NFKC, whitespace dropped, every
/// punctuation mark or symbol the same placeholder). Exempt: titles (`title:` lines and
/// text inside 《》) and enumerations of short names (four or more items of at most six
/// characters, such as the seven areas of a responsibility list).
///
/// The documents are not in this repository; `tests/fixtures/seed-windows.bin` holds the
/// sorted FNV-1a hashes of their normalised 21-character windows. With
/// `POLICYKB_SEEDS=<folder of the .txt documents>` the test writes that file anew.
#[test]
fn no_page_copies_more_than_twenty_characters_of_a_source() {
    use unicode_normalization::UnicodeNormalization;
    const WINDOW: usize = 21;
    fn normalise(text: &str) -> Vec<char> {
        text.chars()
            .flat_map(|c| c.to_string().nfkc().collect::<Vec<char>>())
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_alphanumeric() { c } else { '·' })
            .collect()
    }
    fn hash(window: &[char]) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in window.iter().collect::<String>().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash
    }
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed-windows.bin");
    if let Some(seeds) = std::env::var_os("POLICYKB_SEEDS") {
        let mut hashes = BTreeSet::new();
        for entry in std::fs::read_dir(seeds).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                let text = normalise(&std::fs::read_to_string(path).unwrap());
                hashes.extend(text.windows(WINDOW).map(hash));
            }
        }
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        std::fs::write(&fixture, bytes).unwrap();
    }
    let seed_windows: BTreeSet<u64> = std::fs::read(&fixture)
        .unwrap()
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert!(
        seed_windows.len() > 10_000,
        "{} windows",
        seed_windows.len()
    );
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut copies = Vec::new();
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let raw = std::fs::read_to_string(&path).unwrap();
        for (number, line) in (1..).zip(raw.lines()) {
            if line.starts_with("title:") || line.starts_with("short_title:") {
                continue;
            }
            // Titles in 《》 are quoted on purpose; cut them out, keeping a break.
            let mut kept = String::new();
            let mut depth = 0;
            for c in line.chars() {
                match c {
                    '《' => depth += 1,
                    '》' if depth > 0 => {
                        depth -= 1;
                        kept.push('|');
                    }
                    _ if depth == 0 => kept.push(c),
                    _ => {}
                }
            }
            let text = normalise(&kept);
            let mut i = 0;
            while i + WINDOW <= text.len() {
                let window = &text[i..i + WINDOW];
                let mostly_text = window.iter().filter(|&&c| c == '·').count() < WINDOW / 2;
                if !(mostly_text && seed_windows.contains(&hash(window))) {
                    i += 1;
                    continue;
                }
                let mut end = i + WINDOW;
                while end < text.len()
                    && seed_windows.contains(&hash(&text[end + 1 - WINDOW..=end]))
                {
                    end += 1;
                }
                let run: String = text[i..end].iter().collect();
                let segments: Vec<&str> = run.split('·').filter(|s| !s.is_empty()).collect();
                let enumeration =
                    segments.len() >= 4 && segments.iter().all(|s| s.chars().count() <= 6);
                if !enumeration {
                    let shown = path.strip_prefix(&content).unwrap().display();
                    copies.push(format!("content/{shown}:{number}: {run}"));
                }
                i = end;
            }
        }
    }
    assert!(
        copies.is_empty(),
        "runs shared with a source:\n{}",
        copies.join("\n")
    );
}

/// Readers cannot decode our file numbers: every citation names the document.
#[test]
fn no_page_cites_a_source_by_a_file_number() {
    let numbered = regex::Regex::new(
        r"文献\s*\d{3}|\d{3}_[0-9a-f]{8,}|(?:^|[^0-9A-Za-z_./#%-])0\d{2}\s*(?:主张|认为|指出|提出|把|将|在|的|强调|提到|所|说)",
    )
    .unwrap();
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&content) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "md") {
            for (number, line) in (1..).zip(std::fs::read_to_string(&path).unwrap().lines()) {
                if let Some(m) = numbered.find(line) {
                    found.push(format!("{}:{number}: {}", path.display(), m.as_str()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A page whose text cites a document, by a link or by its title, lists it in `sources:`.
#[test]
fn every_source_a_page_cites_is_in_its_sources_list() {
    let Bundled { site, .. } = bundled();
    let documents: Vec<(String, Vec<String>)> = pages(&site, Kind::Source)
        .map(|(_, source)| {
            let short = source.short_title().trim_start_matches('《');
            let short = short.split('》').next().unwrap_or(short).to_string();
            (source.slug.clone(), vec![source.meta.title.clone(), short])
        })
        .collect();
    let mut missing = Vec::new();
    for (id, record) in site.pages.iter().enumerate() {
        let page = &record.page;
        if page.kind == Kind::Source {
            continue;
        }
        let linked = record
            .links
            .iter()
            .map(|l| site.page(l.target))
            .filter(|t| t.kind == Kind::Source)
            .map(|t| t.slug.clone());
        let named = documents
            .iter()
            .filter(|(_, titles)| titles.iter().any(|t| page.body.contains(t.as_str())))
            .map(|(slug, _)| slug.clone());
        for slug in linked.chain(named) {
            if !page.meta.sources.contains(&slug) {
                missing.push(format!("{} (page {id}) cites {slug}", page.file.display()));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The pages trainers and cadres asked for, each drawing on the sources.
#[test]
fn the_topic_pages_exist_and_cite_their_sources() {
    let Bundled { site, .. } = bundled();
    let wanted = [
        ("为什么要压实管党治党责任", 3),
        ("问责的阶梯", 2),
        ("各类主体的责任对照", 3),
        ("思想建设与理论武装", 2),
        ("干部能力与严管厚爱", 2),
        ("班子如何开展履责检视", 2),
        ("术语", 4),
    ];
    for (title, sources) in wanted {
        let page = pages(&site, Kind::Guide)
            .map(|(_, p)| p)
            .find(|p| p.meta.title == title)
            .unwrap_or_else(|| panic!("no guide page titled {title}"));
        assert!(
            page.meta.sources.len() >= sources,
            "{title} cites {} sources",
            page.meta.sources.len()
        );
        assert!(page.body.chars().count() > 800, "{title} is a stub");
    }
    let glossary = pages(&site, Kind::Guide)
        .map(|(_, p)| p)
        .find(|p| p.meta.title == "术语")
        .unwrap();
    for term in [
        "两个责任",
        "第一责任人",
        "一岗双责",
        "分管责任",
        "监管责任",
        "三会一课",
        "四风",
        "留痕主义",
        "中梗阻",
        "稻草人",
        "治党三问",
        "双清单双交办",
        "后半篇文章",
    ] {
        assert!(glossary.body.contains(term), "the glossary lacks {term}");
    }
}

/// Every problem category has a self-check list, and every level has self-test questions,
/// each naming the source its answer comes from.
#[test]
fn every_problem_has_a_checklist_and_every_level_a_quiz() {
    let Bundled { site, .. } = bundled();
    for (_, page) in pages(&site, Kind::Problem) {
        assert!(
            page.meta.checklist.len() >= 3,
            "{} has {} checklist items",
            page.meta.title,
            page.meta.checklist.len()
        );
        for question in &page.meta.quiz {
            assert!(
                page.meta.sources.contains(&question.source),
                "{}: {}",
                page.meta.title,
                question.question
            );
        }
    }
    for level in &site.config.levels {
        let questions: usize = site
            .problems_of_level(&level.slug)
            .map(|p| site.page(p).meta.quiz.len())
            .sum();
        assert!(
            questions >= 4,
            "level {} has {questions} questions",
            level.name
        );
    }
}
