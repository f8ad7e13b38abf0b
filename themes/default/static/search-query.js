/* policykb search, part 2 of 3: understanding a query and ranking pages.
 *
 * A query becomes clauses: "quoted phrases" (exact) and words. Question frames and function
 * words (什么是, 如何, 怎样, 为什么, 的问题 …) are removed first: in a small knowledge base they
 * are rare, so a plain idf would give them the highest weight and let them decide the ranking.
 *
 * Ranking is BM25-like over bigrams: every token contributes its idf times the weight of
 * where it stands on the page (title > alias/tag > repeated in the text > once). A page
 * holding every token of every clause, with multi-token clauses found verbatim in its text,
 * is a full match (完全匹配); a page covering at least half of the query's weight is a
 * partial match (部分匹配), shown after the full ones. Tokens found next to each other in the
 * text count more (the longest stretch of the query found verbatim), and a title or alias
 * equal to the query comes first. Synonym groups (site.yaml) add alternative clauses.
 *
 * When there is no full match: a query in Latin letters is read as pinyin (full or
 * initials) of titles, aliases and tags; a query one character away from a title, alias or
 * tag (above all a homophone, which is what input methods produce) gets a suggestion
 * (您要找的是不是) and that term's results. */
(function (global) {
  "use strict";

  const tokenizer = global.PolicykbTokenizer;
  const index = global.PolicykbIndex;

  /* Weight of a posting by where the token stands: body once, body repeated, alias/tag, title. */
  const PLACEMENT_WEIGHT = [1, 1.5, 3, 4];
  /* The share of a query's weight a page must cover to be a partial match. */
  const PARTIAL_COVERAGE = 0.5;
  /* A query made only of single characters (or punctuation) has no postings: its pages are
   * found by reading text. It reads the text of at most this many chunks (of meta.chunk
   * pages each; titles, aliases and tags are matched for every page, through the postings
   * of their characters and meta.js's tags), so that on a site of 100,000 pages one
   * character does not download every page's text; the result then says how many pages'
   * text it did not read (`unread`). */
  const SCAN_CHUNKS = 96;
  /* Names (url, title, aliases) are loaded only for the pages a query ranks near the top:
   * candidates are ordered by their postings (which say whether a token is in the title),
   * and this many beyond those shown are then ranked exactly by their titles. */
  const SHORTLIST = 24;
  /* A title stands in for how much a page's title matches, until its names are loaded:
   * per clause whose every token is in the title. */
  const TITLE_HINT = 60;
  /* Typo suggestions look at the names of at most this many pages, those sharing the most
   * characters with the query. */
  const SUGGEST_PAGES = 160;
  /* Question frames and function words, removed from unquoted text (longest first). */
  const FRAMES = [
    "为什么会出现", "为什么会", "什么是", "是什么", "什么叫", "指的是", "怎么样", "怎么办", "有哪些", "是哪些",
    "有什么", "为什么", "为何", "如何", "怎样", "怎么", "哪些", "哪个", "什么", "何为", "何谓", "请问",
    "应该", "应当", "能否", "是否", "是不是", "的问题", "方面的", "方面", "问题是", "吗", "呢", "吧"
  ];
  /* Characters that only join words: a query is split at them (except inside the words listed). */
  const JOINERS = /[的和与及或]/g;
  const KEEP_JOINED = ["目的", "有的", "和谐", "及时", "与会"];

  /* ---------- clauses ---------- */

  /* The query as clauses: {text (folded), tokens, exact, scan}. */
  function parseQuery(query) {
    const clauses = [];
    const rest = query.replace(/["“”「」『』]([^"“”「」『』]+)["“”「」『』]/g, (_, phrase) => {
      addClause(clauses, phrase, true);
      return " ";
    });
    const words = withoutFrames(rest.replace(/["“”「」『』]/g, " "));
    for (const word of words.split(/[\s\u3000,，、;；:：!！?？。.]+/)) { addClause(clauses, word, false); }
    return clauses;
  }

  function withoutFrames(text) {
    let out = tokenizer.normalise(text);
    const core = out;
    for (const frame of FRAMES) { out = out.split(frame).join(" "); }
    out = out.replace(JOINERS, (c, at, whole) => {
      const around = whole.slice(Math.max(0, at - 1), at + 2);
      return KEEP_JOINED.some((w) => around.includes(w)) ? c : " ";
    });
    /* A query made only of frames asks for nothing: it must not rank pages by the frame. */
    return out.trim() === "" && core.trim() !== "" ? "" : out;
  }

  function addClause(clauses, text, exact) {
    const normalised = tokenizer.normalise(text).replace(/\s+/g, " ").trim();
    if (normalised === "") { return; }
    const tokens = tokenizer.tokenize(text);
    /* A clause without a token of two or more characters (a single Han character, or only
     * punctuation) is found by scanning the text instead of the postings. */
    const scan = tokens.length === 0 || tokens.every((t) => t.length === 1 && tokenizer.isHan(t));
    clauses.push({ text: normalised, tokens: Array.from(new Set(tokens)), exact, scan });
  }

  /* Alternative clause lists with synonyms put in: each clause containing a word of a
   * group is tried with each other word of the group. */
  function withSynonyms(clauses, groups) {
    const variants = [];
    clauses.forEach((clause, i) => {
      if (clause.exact) { return; }
      for (const group of groups || []) {
        const found = group.find((word) => word.length > 1 && clause.text.includes(word));
        if (!found) { continue; }
        for (const other of group) {
          if (other === found) { continue; }
          const replaced = [];
          addClause(replaced, clause.text.split(found).join(other), false);
          if (replaced.length) { variants.push(clauses.map((c, j) => (j === i ? replaced[0] : c))); }
        }
      }
    });
    return variants;
  }

  /* ---------- scoring ---------- */

  function matchesFilters(doc, filters) {
    if (!filters) { return true; }
    if (filters.kind && doc.kind !== filters.kind) { return false; }
    if (filters.level && doc.level !== filters.level) { return false; }
    if (filters.tag && !doc.tags.includes(filters.tag)) { return false; }
    return true;
  }

  /* BM25's idf: rare tokens weigh more; a token no page has weighs the most. */
  function idf(documents, pages) {
    return Math.log(1 + (documents - pages + 0.5) / (pages + 0.5));
  }

  /* Per page, for one clause list: weight matched, score, tokens found per clause, tokens
   * in the title per clause, tokens in a title, alias or tag; and the weight wanted. Kept
   * in typed arrays indexed by page (`ids` lists the pages touched, in order), because a
   * common bigram's postings hold most of a large site. A token no page holds is usually a
   * bigram across two words (落实监管 → 实监): it weighs as much as the clause's other
   * tokens on average, not the most of all. */
  function scoreClauses(meta, clauses) {
    const documents = meta.docs.length;
    const width = clauses.length;
    const tally = newTally(documents, width);
    clauses.forEach((clause, c) => {
      if (clause.scan) { return; }
      const found = clause.tokens.map((token) => index.postingsOf(token));
      const present = found.filter((p) => p.length > 0).map((p) => idf(documents, p.length));
      const absentWeight = present.length ? present.reduce((a, b) => a + b, 0) / present.length : idf(documents, 0);
      clause.tokens.forEach((token, t) => {
        const postings = found[t];
        const weight = postings.length ? idf(documents, postings.length) : absentWeight;
        tally.wanted += weight;
        for (let i = 0; i < postings.length; i++) {
          const page = postings.pages[i];
          const placement = postings.placements[i];
          touch(tally, page);
          tally.matched[page] += weight;
          tally.score[page] += weight * PLACEMENT_WEIGHT[placement];
          tally.tokens[page * width + c] += 1;
          if (placement === 3) { tally.titled[page * width + c] += 1; }
          if (placement >= 2) { tally.named[page] += 1; }
        }
      });
    });
    return tally;
  }

  /* The typed arrays of a tally, reused from query to query (cleared where touched): at
   * 100,000 pages fresh ones would be megabytes a query, and the collector's pauses would
   * show in the type-ahead box. */
  const spareTallies = [];

  function newTally(documents, width) {
    const spare = spareTallies.pop();
    if (spare && spare.seen.length === documents && spare.tokens.length >= documents * width) {
      return Object.assign(spare, { width, ids: [], wanted: 0 });
    }
    const size = documents * Math.max(width, 2);
    return {
      width,
      ids: [],
      wanted: 0,
      seen: new Uint8Array(documents),
      matched: new Float64Array(documents),
      score: new Float64Array(documents),
      first: new Float64Array(documents),
      coverage: new Float64Array(documents),
      named: new Uint16Array(documents),
      tokens: new Uint16Array(size),
      titled: new Uint16Array(size),
    };
  }

  function releaseTally(tally) {
    const width = tally.width;
    for (const id of tally.ids) {
      tally.seen[id] = 0;
      tally.matched[id] = 0;
      tally.score[id] = 0;
      tally.first[id] = 0;
      tally.coverage[id] = 0;
      tally.named[id] = 0;
      for (let i = id * width; i < id * width + width; i++) { tally.tokens[i] = 0; tally.titled[i] = 0; }
    }
    if (spareTallies.length < 2) { spareTallies.push(tally); }
  }

  function touch(tally, page) {
    if (!tally.seen[page]) { tally.seen[page] = 1; tally.ids.push(page); }
  }

  /* Title and alias matches outrank body matches: equal, then at the start, then anywhere. */
  function titleBoost(doc, clauses, core) {
    const title = doc.folded_title;
    const aliases = doc.folded_aliases;
    if (title === core) { return 1000; }
    if (aliases.includes(core)) { return 800; }
    let boost = 0;
    /* A question around a term: 什么是分管责任 holds the alias 分管责任. */
    for (const name of [title].concat(aliases)) {
      if (name.length >= 2 && name.length < core.length && core.includes(name)) {
        boost = Math.max(boost, 200 + 200 * name.length / core.length);
      }
    }
    for (const c of clauses) {
      const coverage = c.text.length / Math.max(title.length, 1);
      if (title === c.text) { boost += 100; }
      else if (aliases.includes(c.text)) { boost += 80; }
      else if (title.startsWith(c.text)) { boost += 50 + 20 * coverage; }
      else if (title.includes(c.text)) { boost += 30 + 20 * coverage; }
      else if (aliases.some((a) => a.includes(c.text))) { boost += 20; }
    }
    return boost;
  }

  /* A title or alias sharing a long stretch with the query: 如何做好谈心谈话 and 谈心谈话与约谈提醒. */
  function titleStretchBonus(doc, core) {
    const stretch = Math.max(...[doc.folded_title].concat(doc.folded_aliases).map((name) => longestShared(core, name)));
    return stretch >= 3 ? 300 * Math.pow(stretch / core.length, 2) : 0;
  }

  /* Pages with such a title or alias, whatever their text holds, among the pages not
   * `known`: a shared stretch of three characters holds two of the query's bigrams, so
   * only pages with two tokens in a name are looked at, those with the most first. */
  async function byTitleStretch(meta, tally, clauses, core, filters, known) {
    if (core.length < 3) { return []; }
    const candidates = [];
    for (const id of tally.ids) {
      if (tally.named[id] >= 2 && !known.has(id) && matchesFilters(meta.docs[id], filters)) { candidates.push([id, tally.named[id]]); }
    }
    candidates.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const docs = await index.withNames(candidates.slice(0, SHORTLIST * 2).map(([id]) => meta.docs[id]));
    const found = [];
    for (const doc of docs) {
      if (titleStretchBonus(doc, core) > 0) { found.push({ doc, score: titleBoost(doc, clauses, core), coverage: 0, full: false }); }
    }
    return found;
  }

  /* Ranks `results` (ordered by their postings) exactly by their titles, the first `count`
   * of them: loads their names and adds the title boost. */
  async function rankByTitles(results, clauses, core, count) {
    const top = results.slice(0, count);
    await index.withNames(top.map((r) => r.doc));
    for (const r of top) {
      if (r.named) { continue; }
      r.named = true;
      r.score = (r.base + titleBoost(r.doc, clauses, core)) * r.weight;
    }
    top.sort(byScore);
    results.splice(0, top.length, ...top);
  }

  /* Puts the first `count` of ids[from…] in `order` at from…, sorted, the others after them
   * in any order (a heap of the best so far: a common token's candidates are most of a large
   * site, and only the first are read); returns where the sorted part ends. */
  function sortPrefix(ids, from, count, order) {
    const rest = ids.length - from;
    if (rest <= count * 4) {
      const tail = ids.slice(from).sort(order);
      for (let i = 0; i < tail.length; i++) { ids[from + i] = tail[i]; }
      return ids.length;
    }
    /* A heap with the last of the best at its root. */
    const heap = [];
    const after = (i, j) => order(heap[i], heap[j]) > 0;
    const swap = (i, j) => { const t = heap[i]; heap[i] = heap[j]; heap[j] = t; };
    const down = (i) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < heap.length && after(l, top)) { top = l; }
        if (r < heap.length && after(r, top)) { top = r; }
        if (top === i) { return; }
        swap(i, top);
        i = top;
      }
    };
    const others = [];
    for (let k = from; k < ids.length; k++) {
      const id = ids[k];
      if (heap.length < count) {
        heap.push(id);
        for (let i = heap.length - 1; i > 0 && after(i, (i - 1) >> 1); i = (i - 1) >> 1) { swap(i, (i - 1) >> 1); }
      } else if (order(id, heap[0]) < 0) {
        others.push(heap[0]);
        heap[0] = id;
        down(0);
      } else {
        others.push(id);
      }
    }
    heap.sort(order);
    for (let i = 0; i < heap.length; i++) { ids[from + i] = heap[i]; }
    for (let i = 0; i < others.length; i++) { ids[from + heap.length + i] = others[i]; }
    return from + heap.length;
  }

  /* Candidates in rank order (`ids`, by their postings), made into results only as far as
   * they are read: `slice` and `splice` as on an array of them. */
  function lazyResults(ids, order, make) {
    const made = [];
    let sorted = 0;
    const upTo = (end) => {
      if (end > sorted) { sorted = sortPrefix(ids, sorted, Math.max(end - sorted, 64), order); }
      while (made.length < Math.min(end, ids.length)) { made.push(make(ids[made.length])); }
    };
    return {
      length: ids.length,
      slice(from, to) { upTo(to); return made.slice(from, to); },
      splice(from, count, ...items) { upTo(from + count); made.splice(from, count, ...items); },
    };
  }

  const byScore = (a, b) => b.score - a.score || a.doc.id - b.doc.id;

  /* The longest stretch of `needle` found verbatim in `haystack` (its length). */
  function longestShared(needle, haystack) {
    let best = 0;
    for (let start = 0; start + best < needle.length; start++) {
      let length = best + 1;
      while (start + length <= needle.length && haystack.includes(needle.slice(start, start + length))) {
        best = length;
        length++;
      }
    }
    return best;
  }

  /* Where to land on a page: the section (heading id) holding the first match in the text. */
  function anchorFor(doc, clauses) {
    if (!doc.folded_text) { return ""; }
    let first = -1;
    for (const c of clauses) {
      const at = doc.folded_text.indexOf(c.text);
      if (at >= 0 && (first < 0 || at < first)) { first = at; }
    }
    if (first < 0) { return ""; }
    let anchor = "";
    for (const [offset, id] of doc.sections) { if (offset <= first) { anchor = id; } }
    return anchor;
  }

  /* The link to a result: the page, the words to highlight there, the section to open. */
  function hrefFor(doc, clauses) {
    const words = clauses.map((c) => c.text).filter((t) => t.length > 0);
    const anchor = anchorFor(doc, clauses);
    return doc.url + (words.length ? "?highlight=" + encodeURIComponent(words.join(" ")) : "") +
      (anchor ? "#" + encodeURIComponent(anchor) : "");
  }

  /* The pages of both sets; `soFar` null stands for every page. */
  function within(soFar, pages) {
    return soFar ? new Set(Array.from(soFar).filter((id) => pages.has(id))) : pages;
  }

  /* Pages whose title, alias or tag name holds the text of single-character clause
   * `clause`: through the postings of its characters' "#c" tokens and meta.js's tags. */
  async function byNames(meta, clause) {
    const chars = Array.from(clause.text).filter(tokenizer.isHan);
    const found = new Set();
    meta.tags.forEach((tag, t) => {
      if (tokenizer.normalise(tag[1]).includes(clause.text)) { meta.tag_pages[t].forEach((id) => found.add(id)); }
    });
    if (chars.length === 0) { return found; }
    await index.loadPostings(chars.map(index.nameToken));
    let named = null;
    for (const c of chars) {
      named = within(named, new Set(index.postingsOf(index.nameToken(c)).pages));
    }
    /* Only one character is certain from the postings; more must be read in the names. */
    const sure = chars.length === 1 && clause.text.length === 1;
    const docs = sure ? [] : await index.withNames(Array.from(named, (id) => meta.docs[id]).slice(0, SUGGEST_PAGES));
    for (const doc of docs) {
      if ([doc.folded_title].concat(doc.folded_aliases).some((n) => n.includes(clause.text))) { found.add(doc.id); }
    }
    if (sure) { named.forEach((id) => found.add(id)); }
    return found;
  }

  /* The pages a query of only single-character clauses finds: those whose names hold every
   * clause, and those among the first SCAN_CHUNKS chunks whose text does; and how many
   * pages' text was not read. */
  async function byScanning(meta, clauses) {
    const readable = meta.docs.slice(0, SCAN_CHUNKS * meta.chunk);
    await index.withText(readable);
    const found = new Set();
    for (const doc of readable) {
      if (clauses.every((c) => doc.haystack.includes(c.text))) { found.add(doc.id); }
    }
    let named = null;
    for (const c of clauses) {
      named = within(named, await byNames(meta, c));
    }
    named.forEach((id) => found.add(id));
    return { found, unread: meta.docs.length - readable.length };
  }

  /* Ranks the pages for one list of clauses: full matches (verified) and partial ones. */
  async function rank(meta, clauses, filters, limit, weight) {
    const core = clauses.map((c) => c.text).join("");
    const shortlist = limit + SHORTLIST;
    const tally = scoreClauses(meta, clauses);
    const width = tally.width;
    /* With a clause that has postings, those give the candidates, and the single-character
     * clauses are checked in their text (`verify`); with none, text and names are scanned. */
    let unscanned = 0;
    if (!clauses.some((c) => !c.scan)) {
      const scanned = await byScanning(meta, clauses);
      unscanned = scanned.unread;
      for (const id of scanned.found) {
        touch(tally, id);
        tally.score[id] += 1;
      }
      clauses.forEach((c, i) => {
        const chars = Array.from(c.text).filter(tokenizer.isHan);
        if (chars.length !== 1) { return; }
        const named = index.postingsOf(index.nameToken(chars[0]));
        for (let n = 0; n < named.length; n++) {
          const id = named.pages[n];
          if (named.placements[n] === 3 && tally.seen[id]) { tally.titled[id * width + i] = c.tokens.length || 1; }
        }
      });
    }
    /* A first score from the postings, with a hint for clauses wholly in the title; the
     * title boost proper needs the names, loaded only for the first of the list. */
    const { first, coverage } = tally;
    /* Pages whose title or an alias is the query or one of its clauses, from their "=name"
     * postings, get titleBoost's largest terms now, so that they are among those whose
     * names are read however many other titles hold the same tokens. */
    const wholeName = new Map();
    for (const name of new Set([core].concat(clauses.map((c) => c.text)))) {
      const named = index.postingsOf(index.wholeNameToken(name));
      for (let n = 0; n < named.length; n++) {
        const title = named.placements[n] === 3;
        const extra = name === core ? (title ? 1000 : 800) : (title ? 100 : 80);
        const id = named.pages[n];
        wholeName.set(id, (wholeName.get(id) || 0) + extra);
      }
    }
    const fullIds = [];
    const partialIds = [];
    for (const id of tally.ids) {
      if (!matchesFilters(meta.docs[id], filters)) { continue; }
      let complete = true;
      let hint = 0;
      for (let i = 0; i < width; i++) {
        const c = clauses[i];
        /* A single-character clause is certain only once `verify` has read the text. */
        if (!c.scan && tally.tokens[id * width + i] !== c.tokens.length) { complete = false; }
        if (tally.titled[id * width + i] >= Math.max(c.tokens.length, 1)) { hint += TITLE_HINT; }
      }
      coverage[id] = tally.wanted > 0 ? tally.matched[id] / tally.wanted : 1;
      first[id] = tally.score[id] * (0.5 + 0.5 * coverage[id]) + hint + (wholeName.get(id) || 0);
      if (complete) { fullIds.push(id); }
      else if (coverage[id] >= PARTIAL_COVERAGE) { partialIds.push(id); }
    }
    const byFirst = (a, b) => first[b] - first[a] || a - b;
    const resultOf = (full) => (id) => {
      const base = tally.score[id] * (0.5 + 0.5 * coverage[id]);
      return { doc: meta.docs[id], base, weight, named: false, score: first[id] * weight, coverage: coverage[id], full };
    };
    const full = lazyResults(fullIds, byFirst, resultOf(true));
    await rankByTitles(full, clauses, core, shortlist);
    const verified = await verify(full, clauses, limit);
    let partial = [];
    /* Partial matches are needed only where the full ones do not fill the list: the first
     * of them by their postings (a title boost only raises a score), the full candidates
     * whose phrases are not in the text, and titles sharing a long stretch. */
    if (verified.results.length < limit) {
      sortPrefix(partialIds, 0, shortlist, byFirst);
      partial = partialIds.slice(0, shortlist).map(resultOf(false));
      for (const r of verified.failed) { r.full = false; partial.push(r); }
      const known = new Set(fullIds.concat(partialIds.slice(0, shortlist)));
      for (const r of await byTitleStretch(meta, tally, clauses, core, filters, known)) {
        r.named = true;
        partial.push(r);
      }
      partial.sort(byScore);
      await rankByTitles(partial, clauses, core, shortlist);
      for (const r of partial) { if (r.doc.title !== null) { r.score += titleStretchBonus(r.doc, core); } }
      partial.sort(byScore);
    }
    const shownPartial = verified.results.length >= limit ? [] : partial.slice(0, Math.max(limit - verified.results.length, 8));
    await index.withText(shownPartial.map((r) => r.doc));
    for (const r of shownPartial) {
      const stretch = Math.max(...clauses.map((c) => longestShared(c.text, r.doc.haystack)));
      r.score += r.score * stretch / Math.max(core.length, 1);
    }
    shownPartial.sort(byScore);
    releaseTally(tally);
    return { clauses, full: verified.results, partial: shownPartial, unchecked: verified.unchecked, unread: unscanned };
  }

  /* Keeps the full candidates whose text holds every multi-token or single-character clause
   * verbatim, in rank order, loading text chunks batch by batch until `limit` are certain. */
  async function verify(ranked, clauses, limit) {
    const checking = clauses.filter((c) => c.scan || c.exact || c.tokens.length > 1);
    const results = [];
    const failed = [];
    let next = 0;
    while (results.length < limit && next < ranked.length) {
      const batch = ranked.slice(next, next + Math.max(limit - results.length, 8));
      next += batch.length;
      await index.withText(batch.map((r) => r.doc));
      for (const r of batch) {
        if (checking.every((c) => r.doc.haystack.includes(c.text))) { results.push(r); } else { failed.push(r); }
      }
    }
    return { results, failed, unchecked: ranked.length - next };
  }

  /* Pages whose title or alias shares most of the query's characters, weighted by how rare
   * each character is among titles and aliases: 上面热下面冷 finds the alias 上热中温下冷.
   * The "#c" postings give each character's pages; the names of the best are then read. */
  async function byCharacters(meta, clauses, filters) {
    const wanted = Array.from(new Set(Array.from(clauses.map((c) => c.text).join("")).filter(tokenizer.isHan)));
    if (wanted.length < 3) { return []; }
    await index.loadPostings(wanted.map(index.nameToken));
    const pagesOf = new Map(wanted.map((c) => [c, index.postingsOf(index.nameToken(c))]));
    const weight = (c) => idf(meta.docs.length, pagesOf.get(c).length);
    const total = wanted.reduce((sum, c) => sum + weight(c), 0);
    /* What a page's names share, all names together: at least what its best name shares. */
    const shared = new Map();
    for (const c of wanted) {
      for (const id of pagesOf.get(c).pages) { shared.set(id, (shared.get(id) || 0) + weight(c)); }
    }
    const candidates = Array.from(shared).filter(([id, w]) => w / total >= 0.6 && matchesFilters(meta.docs[id], filters));
    candidates.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const docs = await index.withNames(candidates.slice(0, SHORTLIST * 2).map(([id]) => meta.docs[id]));
    const found = [];
    for (const doc of docs) {
      let best = 0;
      for (const name of [doc.folded_title].concat(doc.folded_aliases)) {
        const have = new Set(Array.from(name));
        best = Math.max(best, wanted.filter((c) => have.has(c)).reduce((sum, c) => sum + weight(c), 0) / total);
      }
      if (best >= 0.6) { found.push({ doc, score: 100 * best, coverage: best, full: false }); }
    }
    return found.sort((a, b) => b.score - a.score).slice(0, 8);
  }

  /* ---------- pinyin, typos, tags ---------- */

  const LATIN = /^[a-zA-Züü:'’\s]+$/;

  const MAX_SPELLINGS = 16;
  const LETTER_OR_DIGIT = /[\p{Alphabetic}\p{N}]/u;

  /* Every spelling so far followed by every option, up to MAX_SPELLINGS, without repeats
   * side by side (的 de/di has one initial). */
  function extendSpellings(soFar, options) {
    const next = [];
    for (const prefix of soFar) {
      for (const option of options) {
        const spelling = prefix + option;
        if (next.length < MAX_SPELLINGS && next[next.length - 1] !== spelling) { next.push(spelling); }
      }
    }
    return next;
  }

  /* A term's spellings in full pinyin and in initials, from the readings of its characters
   * (every reading of a polyphonic character: 率 shuai/lv). */
  function spellingsOf(sounds, text) {
    let full = [""];
    let initials = [""];
    for (const c of Array.from(text)) {
      const ids = sounds.chars[c];
      if (!ids) {
        if (LETTER_OR_DIGIT.test(c)) {
          full = full.map((f) => f + c);
          initials = initials.map((f) => f + c);
        }
        continue;
      }
      const options = ids.map((i) => sounds.syllables[i]);
      full = extendSpellings(full, options);
      initials = extendSpellings(initials, options.map((o) => o[0]));
    }
    return [full, initials];
  }

  /* The terms of one file with their spellings, worked out once per page load. */
  function spelledTerms(sounds, terms) {
    if (!terms.spelled) {
      terms.spelled = terms.map(([term, target]) => [term, target].concat(spellingsOf(sounds, term)));
    }
    return terms.spelled;
  }

  /* Pages and tags whose title, alias or name is spelt so in pinyin (full or initials). */
  async function byPinyin(text) {
    const spelt = text.toLowerCase().replace(/u:|ü/g, "v").replace(/[^a-z]/g, "");
    if (spelt.length < 2) { return []; }
    const [sounds, terms] = await Promise.all([index.loadSounds(), index.loadSoundTerms(spelt.slice(0, 2))]);
    const found = new Map();
    for (const [term, target, full, initials] of spelledTerms(sounds, terms)) {
      let score = 0;
      if (full.includes(spelt)) { score = 100; }
      else if (initials.includes(spelt)) { score = 80; }
      else if (spelt.length >= 4 && full.some((f) => f.startsWith(spelt))) { score = 60; }
      else if (spelt.length >= 2 && initials.some((f) => f.startsWith(spelt))) { score = 40; }
      if (score > 0) {
        score += 10 * Math.min(spelt.length / Math.max(full[0].length, 1), 1);
        if (!found.has(target) || found.get(target).score < score) { found.set(target, { term, score }); }
      }
    }
    return Array.from(found, ([target, v]) => ({ target, term: v.term, score: v.score })).sort((a, b) => b.score - a.score);
  }

  function sameSound(sounds, a, b) {
    const x = sounds.chars[a];
    const y = sounds.chars[b];
    return !!(x && y && x.some((s) => y.includes(s)));
  }

  /* The pages (names loaded) whose titles and aliases share the most characters with
   * `words`, at most SUGGEST_PAGES: where a term one character away from a word is. */
  async function namesSharingCharacters(meta, words) {
    const chars = Array.from(new Set(Array.from(words.join("")).filter(tokenizer.isHan)));
    await index.loadPostings(chars.map(index.nameToken));
    const sharing = new Map();
    for (const c of chars) {
      const postings = index.postingsOf(index.nameToken(c));
      const rarity = 1 / (1 + postings.length);
      for (const id of postings.pages) { sharing.set(id, (sharing.get(id) || 0) + 1 + rarity); }
    }
    const best = Array.from(sharing).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, SUGGEST_PAGES);
    return index.withNames(best.map(([id]) => meta.docs[id]));
  }

  /* A title, alias or tag one character away from part of the query, homophones first:
   * the corrected query, or null. Without homophones it only corrects a query that found
   * nothing at all, and never a part of the query that already is a term. */
  async function suggestion(meta, clauses, foundSomething) {
    const words = clauses.filter((c) => !c.exact).map((c) => c.text);
    if (words.length === 0) { return null; }
    const sounds = await index.loadSounds().catch(() => null);
    const terms = new Set();
    for (const doc of await namesSharingCharacters(meta, words)) { terms.add(doc.folded_title); doc.folded_aliases.forEach((a) => terms.add(a)); }
    for (const tag of meta.tags) { terms.add(tokenizer.normalise(tag[1])); }
    let best = null;
    words.forEach((word, w) => {
      const chars = Array.from(word);
      const covered = new Array(chars.length).fill(false);
      for (const term of terms) {
        const t = Array.from(term);
        if (t.length < 2) { continue; }
        for (let at = word.indexOf(term); at >= 0; at = word.indexOf(term, at + 1)) {
          const start = Array.from(word.slice(0, at)).length;
          for (let i = 0; i < t.length; i++) { covered[start + i] = true; }
        }
      }
      for (const term of terms) {
        const t = Array.from(term);
        if (t.length < 2 || t.length > chars.length) { continue; }
        for (let start = 0; start + t.length <= chars.length; start++) {
          let wrong = -1;
          let count = 0;
          for (let i = 0; i < t.length && count < 2; i++) {
            if (chars[start + i] !== t[i]) { wrong = i; count++; }
          }
          if (count !== 1 || covered[start + wrong]) { continue; }
          const homophone = sounds ? sameSound(sounds, chars[start + wrong], t[wrong]) : false;
          if (!homophone && (t.length < 3 || foundSomething)) { continue; }
          const score = (homophone ? 100 : 0) + t.length;
          if (!best || score > best.score) {
            const fixed = chars.slice(0, start).concat(t, chars.slice(start + t.length)).join("");
            best = { score, word: w, fixed };
          }
        }
      }
    });
    if (!best) { return null; }
    return clauses.filter((c) => !c.exact).map((c, i) => (i === best.word ? best.fixed : c.text)).join(" ");
  }

  /* Tags whose name the query is, or holds, or is held in. */
  function tagsFor(meta, clauses) {
    const core = clauses.map((c) => c.text).join("");
    if (core.length < 2) { return []; }
    return meta.tags
      .map((tag, i) => ({ slug: tag[0], name: tag[1], index: i, folded: tokenizer.normalise(tag[1]) }))
      .filter((t) => t.folded === core || (t.folded.length >= 2 && (core.includes(t.folded) || t.folded.includes(core))))
      .sort((a, b) => (b.folded === core) - (a.folded === core) || b.folded.length - a.folded.length)
      .slice(0, 3)
      .map((t) => ({ slug: t.slug, name: t.name, url: "tags/" + t.slug + ".html", pages: meta.tag_pages[t.index].length }));
  }

  /* ---------- the query ---------- */

  /* Resolves to {clauses, results: [{doc, score, full, href}], complete, more (candidates
   * not yet verified), unread (pages whose text a single-character query did not read),
   * suggestion, tags}: full matches first (up to `limit` verified), then partial ones. */
  async function query(text, filters, limit, corrected) {
    limit = limit || Infinity;
    const meta = await index.loadMeta();
    const clauses = parseQuery(text);
    const empty = { clauses, results: [], complete: true, more: 0, suggestion: null, tags: [] };
    if (clauses.length === 0) { return empty; }
    const variants = [clauses].concat(withSynonyms(clauses, meta.synonyms));
    const wholeNames = variants.flatMap((v) => [v.map((c) => c.text).join("")].concat(v.map((c) => c.text)));
    await index.loadPostings(variants.flat().flatMap((c) => (c.scan ? [] : c.tokens)).concat(wholeNames.map(index.wholeNameToken)));
    const ranked = [];
    for (let v = 0; v < variants.length; v++) {
      ranked.push(await rank(meta, variants[v], filters, limit, v === 0 ? 1 : 0.9));
    }
    const best = new Map();
    /* One result per page: a full match beats a partial one, a higher score a lower one;
     * but a page the reader's own words match fully is highlighted with those words, not
     * with a synonym's. */
    const keep = (r, ofClauses) => {
      const old = best.get(r.doc.id);
      if (!old || (r.full && !old.full) || (r.full === old.full && r.score > old.score)) {
        const own = old && old.full && old.own && r.full;
        best.set(r.doc.id, Object.assign({}, r, { clauses: own ? old.clauses : ofClauses, own: own || ofClauses === clauses }));
      }
    };
    for (const found of ranked) {
      for (const r of found.full) { keep(r, found.clauses); }
      for (const r of found.partial) { keep(r, found.clauses); }
    }
    let results = Array.from(best.values());
    let suggested = null;
    if (!results.some((r) => r.full)) {
      if (LATIN.test(text.trim()) && !corrected) {
        const hits = await byPinyin(text);
        for (const hit of hits) {
          if (hit.target >= 0) {
            const doc = meta.docs[hit.target];
            if (matchesFilters(doc, filters)) { keep({ doc, score: 5000 + hit.score, full: true, coverage: 1 }, [{ text: hit.term, tokens: [], exact: false }]); }
          }
        }
        /* And what the best-spelt term finds as text: 形式主义 for xingshi zhuyi. */
        if (hits.length) {
          const found = await query(hits[0].term, filters, limit, true);
          for (const r of found.results) { if (r.full) { keep(r, r.clauses); } }
        }
        results = Array.from(best.values());
      }
      if (results.length < 3) {
        for (const r of await byCharacters(meta, clauses, filters)) { keep(r, clauses); }
        results = Array.from(best.values());
      }
      const fixed = results.some((r) => r.full) || corrected ? null : await suggestion(meta, clauses, results.length > 0);
      if (fixed) {
        suggested = fixed;
        const found = await query(fixed, filters, limit, true);
        for (const r of found.results) { if (r.full) { keep(Object.assign({}, r, { score: r.score + 10000 }), r.clauses); } }
        results = Array.from(best.values());
      }
    }
    results.sort((a, b) => (b.full - a.full) || b.score - a.score || a.doc.id - b.doc.id);
    /* Links (which need names) for the results asked for; the rest are only counted. */
    const linked = results.slice(0, limit);
    await index.withNames(linked.map((r) => r.doc));
    for (const r of linked) { r.href = hrefFor(r.doc, r.clauses); }
    const unchecked = ranked[0].unchecked;
    const unread = ranked[0].unread;
    let tags = tagsFor(meta, clauses);
    if (LATIN.test(text.trim())) {
      const spelt = await byPinyin(text).catch(() => []);
      const named = spelt.filter((h) => h.target < 0).map((h) => -h.target - 1);
      tags = tags.concat(named.map((t) => ({ slug: meta.tags[t][0], name: meta.tags[t][1], url: "tags/" + meta.tags[t][0] + ".html", pages: meta.tag_pages[t].length })));
    }
    return { clauses, results, complete: unchecked === 0 && unread === 0, more: unchecked, unread, suggestion: suggested, tags };
  }

  global.PolicykbQuery = { query, parseQuery, withoutFrames };
})(window);
