/* policykb search: Chinese-aware full-text search that works from file:// and any sub-path.
 *
 * The index (search-index.js) is a script that sets window.POLICYKB_SEARCH; it is loaded on
 * first use by adding a <script> tag, which works where fetch() does not (file://).
 * A query is split into clauses: "quoted phrases" and space-separated words, all of which
 * must match. Candidates come from the elasticlunr inverted index (bigram tokens); each is
 * then verified against the stored text so bigram false positives are dropped. */
(function () {
  "use strict";

  var tokenizer = window.PolicykbTokenizer;
  var root = document.body.getAttribute("data-root") || "";
  var FIELD_BOOST = { title: 4, aliases: 3, tags: 2, body: 1 };
  var data = null;
  var waiting = [];

  /* ---------- loading the index ---------- */

  function withIndex(callback) {
    if (data) { callback(data); return; }
    waiting.push(callback);
    if (waiting.length > 1) { return; }
    var script = document.createElement("script");
    script.src = root + "search-index.js";
    script.onload = function () {
      data = prepare(window.POLICYKB_SEARCH);
      waiting.splice(0).forEach(function (cb) { cb(data); });
    };
    script.onerror = function () { setStatus("无法加载搜索索引（search-index.js）。"); };
    document.head.appendChild(script);
  }

  function prepare(raw) {
    raw.docs.forEach(function (doc) {
      doc.haystack = tokenizer.normalise([doc.title, doc.aliases.join(" "), tagNames(raw, doc).join(" "), doc.summary, doc.text].join("\n"));
    });
    return raw;
  }

  function tagNames(raw, doc) {
    return doc.tags.map(function (slug) {
      var found = raw.filters.tags.filter(function (t) { return t[0] === slug; })[0];
      return found ? found[1] : slug;
    });
  }

  /* ---------- parsing the query ---------- */

  /* "a b" → two words; “短语” or "短语" → one phrase. Each clause keeps its normalised text. */
  function parseQuery(query) {
    var clauses = [];
    var rest = query.replace(/["“”「」『』]([^"“”「」『』]+)["“”「」『』]/g, function (_, phrase) {
      addClause(clauses, phrase);
      return " ";
    });
    rest.split(/[\s\u3000]+/).forEach(function (word) { addClause(clauses, word.replace(/["“”「」『』]/g, "")); });
    return clauses;
  }

  function addClause(clauses, text) {
    var normalised = tokenizer.normalise(text).replace(/\s+/g, " ").trim();
    if (normalised === "") { return; }
    clauses.push({ text: normalised, tokens: tokenizer.tokenize(text) });
  }

  /* ---------- searching ---------- */

  function lookup(index, field, token) {
    var node = index.index[field] && index.index[field].root;
    for (var i = 0, chars = Array.from(token); node && i < chars.length; i++) { node = node[chars[i]]; }
    return node || null;
  }

  function scoreClause(index, clause, total) {
    var scores = {};
    clause.tokens.forEach(function (token) {
      index.fields.forEach(function (field) {
        var node = lookup(index, field, token);
        if (!node || !node.docs) { return; }
        var idf = 1 + Math.log(total / (node.df + 1));
        Object.keys(node.docs).forEach(function (ref) {
          scores[ref] = (scores[ref] || 0) + node.docs[ref].tf * idf * FIELD_BOOST[field];
        });
      });
    });
    return scores;
  }

  /* A clause whose text has no token of two or more characters is found by a literal scan. */
  function needsScan(clause) {
    return clause.tokens.length === 0 || clause.tokens.every(function (t) { return Array.from(t).length < 2 && tokenizer.isHan(t); });
  }

  function search(query, filters) {
    var clauses = parseQuery(query);
    if (clauses.length === 0) { return { clauses: clauses, results: [] }; }
    var docs = data.docs;
    var total = docs.length;
    var scores = null;
    clauses.forEach(function (clause) {
      var clauseScores = {};
      if (needsScan(clause)) {
        docs.forEach(function (doc, ref) { if (doc.haystack.indexOf(clause.text) >= 0) { clauseScores[ref] = 1; } });
      } else {
        clauseScores = scoreClause(data.index, clause, total);
      }
      if (scores === null) { scores = clauseScores; return; }
      var merged = {};
      Object.keys(scores).forEach(function (ref) {
        if (ref in clauseScores) { merged[ref] = scores[ref] + clauseScores[ref]; }
      });
      scores = merged;
    });
    var results = [];
    Object.keys(scores).forEach(function (ref) {
      var doc = docs[Number(ref)];
      if (!doc || !matchesFilters(doc, filters)) { return; }
      var verified = clauses.every(function (c) { return doc.haystack.indexOf(c.text) >= 0; });
      if (!verified) { return; }
      results.push({ doc: doc, score: scores[ref] + titleBoost(doc, clauses) });
    });
    results.sort(function (a, b) { return b.score - a.score || (a.doc.url < b.doc.url ? -1 : 1); });
    return { clauses: clauses, results: results };
  }

  /* Title and alias matches outrank body matches: exact, then at the start, then anywhere,
   * the more of the title the query covers the better. */
  function titleBoost(doc, clauses) {
    var title = tokenizer.normalise(doc.title);
    var aliases = doc.aliases.map(tokenizer.normalise);
    var boost = 0;
    clauses.forEach(function (c) {
      var coverage = c.text.length / Math.max(title.length, 1);
      if (title === c.text) { boost += 100; }
      else if (aliases.indexOf(c.text) >= 0) { boost += 80; }
      else if (title.indexOf(c.text) === 0) { boost += 50 + 20 * coverage; }
      else if (title.indexOf(c.text) > 0) { boost += 30 + 20 * coverage; }
      else if (aliases.some(function (a) { return a.indexOf(c.text) >= 0; })) { boost += 20; }
    });
    return boost;
  }

  function matchesFilters(doc, filters) {
    if (!filters) { return true; }
    if (filters.kind && doc.kind !== filters.kind) { return false; }
    if (filters.level && doc.level !== filters.level) { return false; }
    if (filters.tag && doc.tags.indexOf(filters.tag) < 0) { return false; }
    return true;
  }

  /* ---------- showing results (all content is escaped) ---------- */

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Folds a string one UTF-16 unit at a time so positions line up with the original. */
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      var code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) { out += c; continue; }
      var n = tokenizer.normaliseChar(c);
      out += n.length === 1 ? n : c;
    }
    return out;
  }

  function highlight(text, clauses) {
    var folded = fold(text);
    var marks = [];
    clauses.forEach(function (c) {
      if (c.text.length === 0) { return; }
      for (var at = folded.indexOf(c.text); at >= 0; at = folded.indexOf(c.text, at + c.text.length)) {
        marks.push([at, at + c.text.length]);
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var html = "";
    var position = 0;
    marks.forEach(function (m) {
      if (m[0] < position) { return; }
      html += escapeHtml(text.slice(position, m[0])) + "<mark>" + escapeHtml(text.slice(m[0], m[1])) + "</mark>";
      position = m[1];
    });
    return html + escapeHtml(text.slice(position));
  }

  function snippet(doc, clauses, width) {
    var text = doc.text || doc.summary;
    var folded = fold(text);
    var best = -1;
    clauses.forEach(function (c) {
      var at = folded.indexOf(c.text);
      if (at >= 0 && (best < 0 || at < best)) { best = at; }
    });
    if (best < 0) { return highlight(doc.summary, clauses); }
    var start = Math.max(0, best - Math.floor(width / 3));
    var end = Math.min(text.length, start + width);
    return (start > 0 ? "…" : "") + highlight(text.slice(start, end), clauses) + (end < text.length ? "…" : "");
  }

  function resultHtml(result, clauses, width) {
    var doc = result.doc;
    var meta = [doc.kind_name, doc.level_name].filter(Boolean).join(" · ");
    return '<a href="' + escapeHtml(root + doc.url) + '"><strong>' + highlight(doc.title, clauses) + "</strong>" +
      ' <span class="result-meta">' + escapeHtml(meta) + "</span>" +
      '<span class="snippet">' + snippet(doc, clauses, width) + "</span></a>";
  }

  function suggestTags(query) {
    var chars = Array.from(tokenizer.normalise(query)).filter(tokenizer.isHan);
    return data.filters.tags.filter(function (tag) {
      return chars.some(function (c) { return tag[1].indexOf(c) >= 0; });
    }).slice(0, 6);
  }

  function noResultsHtml(query) {
    var html = "没有找到与“" + escapeHtml(query) + "”匹配的内容。";
    var tags = suggestTags(query);
    if (tags.length) {
      html += " 可以看看这些标签：" + tags.map(function (t) {
        return '<a href="' + escapeHtml(root + "tags/" + t[0] + ".html") + '">' + escapeHtml(t[1]) + "</a>";
      }).join("、");
    }
    return html;
  }

  /* ---------- the box in the header: results as you type ---------- */

  var input = document.getElementById("search-input");
  var dropdown = document.getElementById("search-dropdown");
  var active = -1;
  var timer = null;

  function debounce(fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, 120);
  }

  function showDropdown() {
    var query = input.value.trim();
    if (query === "") { dropdown.hidden = true; return; }
    withIndex(function () {
      var found = search(query, null);
      var more = '<a class="more" href="' + escapeHtml(root + "search.html?q=" + encodeURIComponent(query)) + '">查看全部 ' + found.results.length + " 条结果 ›</a>";
      if (found.results.length === 0) {
        dropdown.innerHTML = '<p class="more">' + noResultsHtml(query) + "</p>";
      } else {
        dropdown.innerHTML = "<ol>" + found.results.slice(0, 8).map(function (r) {
          return "<li>" + resultHtml(r, found.clauses, 60) + "</li>";
        }).join("") + "</ol>" + more;
      }
      active = -1;
      dropdown.hidden = false;
    });
  }

  function moveActive(step) {
    var links = dropdown.querySelectorAll("li a");
    if (links.length === 0) { return; }
    if (active >= 0 && links[active]) { links[active].classList.remove("active"); }
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({ block: "nearest" });
  }

  if (input && dropdown) {
    input.addEventListener("input", function () { debounce(showDropdown); });
    input.addEventListener("focus", function () { withIndex(function () {}); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); moveActive(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); moveActive(-1); }
      else if (event.key === "Escape") { dropdown.hidden = true; input.blur(); }
      else if (event.key === "Enter" && active >= 0) {
        var links = dropdown.querySelectorAll("li a");
        if (links[active]) { event.preventDefault(); window.location.href = links[active].href; }
      }
    });
    document.addEventListener("click", function (event) {
      if (!dropdown.contains(event.target) && event.target !== input) { dropdown.hidden = true; }
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/" || event.key === "s") {
      var box = document.getElementById("search-page-input") || input;
      if (box) { event.preventDefault(); box.focus(); }
    }
  });

  /* ---------- the search page: ?q= in, ranked links out ---------- */

  var pageInput = document.getElementById("search-page-input");
  var resultsList = document.getElementById("search-results");
  var statusLine = document.getElementById("search-status");

  function setStatus(text) { if (statusLine) { statusLine.textContent = text; } }

  function selectValue(id) {
    var element = document.getElementById(id);
    return element ? element.value : "";
  }

  function fillSelect(id, options, selected) {
    var element = document.getElementById(id);
    if (!element) { return; }
    options.forEach(function (option) {
      var node = document.createElement("option");
      node.value = option[0];
      node.textContent = option[1];
      element.appendChild(node);
    });
    element.value = selected || "";
    element.addEventListener("change", runPageSearch);
  }

  function updateUrl(query, filters) {
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    ["kind", "level", "tag"].forEach(function (key) { if (filters[key]) { params.set(key, filters[key]); } });
    var search = params.toString();
    try { history.replaceState(null, "", search ? "?" + search : window.location.pathname); } catch (e) { /* file:// may refuse */ }
  }

  function runPageSearch() {
    var query = pageInput.value.trim();
    var filters = { kind: selectValue("filter-kind"), level: selectValue("filter-level"), tag: selectValue("filter-tag") };
    updateUrl(query, filters);
    if (query === "") { resultsList.innerHTML = ""; setStatus("输入词语开始搜索。"); return; }
    var found = search(query, filters);
    resultsList.innerHTML = found.results.map(function (r) { return "<li>" + resultHtml(r, found.clauses, 120) + "</li>"; }).join("");
    if (found.results.length === 0) {
      statusLine.innerHTML = noResultsHtml(query);
    } else {
      setStatus("找到 " + found.results.length + " 条结果。");
    }
  }

  if (pageInput && resultsList) {
    var params = new URLSearchParams(window.location.search);
    pageInput.value = params.get("q") || "";
    setStatus("正在加载索引…");
    withIndex(function (loaded) {
      fillSelect("filter-kind", loaded.filters.kinds, params.get("kind"));
      fillSelect("filter-level", loaded.filters.levels, params.get("level"));
      fillSelect("filter-tag", loaded.filters.tags, params.get("tag"));
      runPageSearch();
      pageInput.addEventListener("input", function () { debounce(runPageSearch); });
      document.getElementById("search-page-form").addEventListener("submit", function (event) { event.preventDefault(); runPageSearch(); });
    });
  }

  window.PolicykbSearch = { search: function (q, f) { return search(q, f); }, parseQuery: parseQuery, withIndex: withIndex, highlight: highlight };
})();
