/* policykb search: Chinese-aware full-text search that works from file:// and any sub-path.
 *
 * The index lives in search/*.js, written by src/search.rs. Each file is a script that calls
 * PolicykbIndex.receive(name, data), so it loads with a <script> tag where fetch() would
 * fail (file://). A query loads only what it needs:
 *   meta.js  once: every page's url, title, kind, level, tags and aliases;
 *   p-N.js   the posting shards of the query's tokens (shard = FNV-1a hash of the token);
 *   t-N.js   text chunks, for verifying phrases and for the snippets of shown results.
 * A query is split into clauses ("quoted phrases" and space-separated words), all of which
 * must match. Candidates come from the postings (bigram tokens); clauses of more than one
 * token are then verified against the stored text, which drops bigram false positives. */
(function () {
  "use strict";

  var tokenizer = window.PolicykbTokenizer;
  var root = document.body.getAttribute("data-root") || "";
  /* Weight of a posting by where the token stands: body once, body repeated, alias/tag, title. */
  var PLACEMENT_WEIGHT = [1, 1.5, 3, 4];

  /* ---------- loading index files ---------- */

  var received = {};
  var pending = {};

  window.PolicykbIndex = {
    receive: function (name, data) {
      received[name] = data;
      if (pending[name]) { pending[name].resolve(data); }
    }
  };

  function load(name) {
    if (!pending[name]) {
      var handlers = {};
      var promise = new Promise(function (resolve, reject) { handlers.resolve = resolve; handlers.reject = reject; });
      pending[name] = { promise: promise, resolve: handlers.resolve };
      if (name in received) {
        handlers.resolve(received[name]);
      } else {
        var script = document.createElement("script");
        script.src = root + "search/" + name + ".js";
        script.onerror = function () { handlers.reject(new Error("无法加载搜索索引文件 search/" + name + ".js")); };
        document.head.appendChild(script);
      }
    }
    return pending[name].promise;
  }

  var meta = null;

  function loadMeta() {
    return load("meta").then(function (raw) {
      if (meta) { return meta; }
      meta = raw;
      meta.docs = raw.pages.map(function (p, id) {
        var kind = raw.kinds[p[2]] || ["", ""];
        var level = p[3] >= 0 ? raw.levels[p[3]] : ["", ""];
        return {
          id: id, url: p[0], title: p[1], kind: kind[0], kind_name: kind[1], level: level[0], level_name: level[1],
          tags: p[4].map(function (t) { return raw.tags[t][0]; }),
          tag_names: p[4].map(function (t) { return raw.tags[t][1]; }),
          aliases: p[5], summary: null, text: null, haystack: null
        };
      });
      return meta;
    });
  }

  function shardOf(token, shardCount) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < token.length; i++) {
      hash ^= token.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % (shardCount || meta.shards);
  }

  /* Loads the text chunks of `docs`, filling in summary, text and the normalised haystack. */
  function withText(docs) {
    var chunks = {};
    docs.forEach(function (doc) { if (doc.text === null) { chunks[Math.floor(doc.id / meta.chunk)] = true; } });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return load("t-" + n).then(function (texts) {
        texts.forEach(function (entry, i) {
          var doc = meta.docs[Number(n) * meta.chunk + i];
          if (doc.text !== null) { return; }
          doc.summary = entry[0];
          doc.text = entry[1];
          doc.haystack = tokenizer.normalise([doc.title, doc.aliases.join(" "), doc.tag_names.join(" "), doc.summary, doc.text].join("\n"));
        });
      });
    })).then(function () { return docs; });
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
    var tokens = tokenizer.tokenize(text);
    /* A clause without a token of two or more characters (a single Han character, or only
     * punctuation) is found by scanning the text instead of the postings. */
    var scan = tokens.length === 0 || tokens.every(function (t) { return t.length === 1 && tokenizer.isHan(t); });
    clauses.push({ text: normalised, tokens: tokens, scan: scan, verify: scan || tokens.length > 1 });
  }

  /* ---------- searching ---------- */

  function decodePostings(encoded) {
    var bytes = atob(encoded);
    var postings = [];
    var page = 0;
    var value = 0;
    var shift = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes.charCodeAt(i);
      value += (b & 0x7f) * Math.pow(2, shift);
      if (b & 0x80) { shift += 7; continue; }
      page += Math.floor(value / 4);
      postings.push([page, value % 4]);
      value = 0;
      shift = 0;
    }
    return postings;
  }

  function postingsOf(token) {
    var shard = received["p-" + shardOf(token)];
    var encoded = shard && shard[token];
    return encoded ? decodePostings(encoded) : [];
  }

  /* Pages holding every token of the clause, scored by idf × placement weight. */
  function scoreClause(clause) {
    var total = meta.docs.length;
    var scores = null;
    clause.tokens.forEach(function (token) {
      var postings = postingsOf(token);
      var idf = 1 + Math.log(total / (postings.length + 1));
      var next = {};
      postings.forEach(function (p) {
        if (scores === null || p[0] in scores) {
          next[p[0]] = (scores === null ? 0 : scores[p[0]]) + idf * PLACEMENT_WEIGHT[p[1]];
        }
      });
      scores = next;
    });
    return scores || {};
  }

  function matchesFilters(doc, filters) {
    if (!filters) { return true; }
    if (filters.kind && doc.kind !== filters.kind) { return false; }
    if (filters.level && doc.level !== filters.level) { return false; }
    if (filters.tag && doc.tags.indexOf(filters.tag) < 0) { return false; }
    return true;
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

  /* Resolves to {clauses, results: [{doc, score}], complete}, best first. Clauses that need
   * checking against the text are verified in rank order until `limit` results are certain
   * (all of them when no limit is given); `complete` is false when unverified candidates
   * remain after those, in which case they are not in `results` and `more` counts them. */
  function query(text, filters, limit) {
    var clauses = parseQuery(text);
    limit = limit || Infinity;
    if (clauses.length === 0) { return Promise.resolve({ clauses: clauses, results: [], complete: true, more: 0 }); }
    return loadMeta().then(function () {
      var shards = {};
      clauses.forEach(function (c) { if (!c.scan) { c.tokens.forEach(function (t) { shards[shardOf(t)] = true; }); } });
      var loads = Object.keys(shards).map(function (n) { return load("p-" + n); });
      if (clauses.some(function (c) { return c.scan; })) { loads.push(withText(meta.docs)); }
      return Promise.all(loads);
    }).then(function () {
      var scores = null;
      clauses.forEach(function (clause) {
        var clauseScores = {};
        if (clause.scan) {
          meta.docs.forEach(function (doc) { if (doc.haystack.indexOf(clause.text) >= 0) { clauseScores[doc.id] = 1; } });
        } else {
          clauseScores = scoreClause(clause);
        }
        if (scores === null) { scores = clauseScores; return; }
        var merged = {};
        Object.keys(scores).forEach(function (id) { if (id in clauseScores) { merged[id] = scores[id] + clauseScores[id]; } });
        scores = merged;
      });
      var ranked = Object.keys(scores).map(function (id) { return meta.docs[Number(id)]; })
        .filter(function (doc) { return matchesFilters(doc, filters); })
        .map(function (doc) { return { doc: doc, score: scores[doc.id] + titleBoost(doc, clauses) }; });
      ranked.sort(function (a, b) { return b.score - a.score || a.doc.id - b.doc.id; });
      return verify(ranked, clauses, limit).then(function (checked) {
        return { clauses: clauses, results: checked.results, complete: checked.next >= ranked.length, more: ranked.length - checked.next };
      });
    });
  }

  /* Keeps the candidates whose text holds every clause that needs checking, in rank order,
   * loading text chunks batch by batch until `limit` results are certain. */
  function verify(ranked, clauses, limit) {
    var checking = clauses.filter(function (c) { return c.verify && !c.scan; });
    if (checking.length === 0) { return Promise.resolve({ results: ranked, next: ranked.length }); }
    var results = [];
    var next = 0;
    function step() {
      if (results.length >= limit || next >= ranked.length) { return Promise.resolve({ results: results, next: next }); }
      var batch = ranked.slice(next, next + Math.max(limit - results.length, 8));
      next += batch.length;
      return withText(batch.map(function (r) { return r.doc; })).then(function () {
        batch.forEach(function (r) {
          if (checking.every(function (c) { return r.doc.haystack.indexOf(c.text) >= 0; })) { results.push(r); }
        });
        return step();
      });
    }
    return step();
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
    if (doc.text === null || width === 0) { return ""; }
    var text = doc.summary + "　" + doc.text;
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
    var info = [doc.kind_name, doc.level_name].filter(Boolean).join(" · ");
    return '<a href="' + escapeHtml(root + doc.url) + '"><strong>' + highlight(doc.title, clauses) + "</strong>" +
      ' <span class="result-meta">' + escapeHtml(info) + "</span>" +
      '<span class="snippet">' + snippet(doc, clauses, width) + "</span></a>";
  }

  function suggestTags(text) {
    var chars = Array.from(tokenizer.normalise(text)).filter(tokenizer.isHan);
    return meta.tags.filter(function (tag) {
      return chars.some(function (c) { return tag[1].indexOf(c) >= 0; });
    }).slice(0, 6);
  }

  function noResultsHtml(text) {
    var html = "没有找到与“" + escapeHtml(text) + "”匹配的内容。";
    var tags = suggestTags(text);
    if (tags.length) {
      html += " 可以看看这些标签：" + tags.map(function (t) {
        return '<a href="' + escapeHtml(root + "tags/" + t[0] + ".html") + '">' + escapeHtml(t[1]) + "</a>";
      }).join("、");
    }
    return html;
  }

  /* " 12 条" when every result is certain, " 约 40 条" while candidates remain unchecked. */
  function countText(found) {
    return found.complete ? " " + found.results.length + " 条" : " 约 " + (found.results.length + found.more) + " 条";
  }

  /* Runs a query and shows its first `limit` results with snippets; stale answers are dropped. */
  var latest = 0;
  function show(text, filters, limit, render) {
    var ticket = ++latest;
    return query(text, filters, limit).then(function (found) {
      var shown = found.results.slice(0, limit);
      return withText(shown.map(function (r) { return r.doc; })).then(function () {
        if (ticket === latest) { render(found, shown); }
      });
    }).catch(function (error) { setStatus(error.message); });
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
    var text = input.value.trim();
    if (text === "") { dropdown.hidden = true; return; }
    show(text, null, 8, function (found, shown) {
      if (shown.length === 0) {
        dropdown.innerHTML = '<p class="more">' + noResultsHtml(text) + "</p>";
      } else {
        dropdown.innerHTML = "<ol>" + shown.map(function (r) { return "<li>" + resultHtml(r, found.clauses, 60) + "</li>"; }).join("") +
          '</ol><a class="more" href="' + escapeHtml(root + "search.html?q=" + encodeURIComponent(text)) + '">查看全部' +
          countText(found) + "结果 ›</a>";
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
    input.addEventListener("focus", function () { loadMeta().catch(function () {}); });
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
  var PAGE_RESULTS = 50;
  var pageLimit = PAGE_RESULTS;

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

  function updateUrl(text, filters) {
    var params = new URLSearchParams();
    if (text) { params.set("q", text); }
    ["kind", "level", "tag"].forEach(function (key) { if (filters[key]) { params.set(key, filters[key]); } });
    var search = params.toString();
    try { history.replaceState(null, "", search ? "?" + search : window.location.pathname); } catch (e) { /* file:// may refuse */ }
  }

  function runPageSearch() {
    var text = pageInput.value.trim();
    var filters = { kind: selectValue("filter-kind"), level: selectValue("filter-level"), tag: selectValue("filter-tag") };
    updateUrl(text, filters);
    if (text === "") { latest++; resultsList.innerHTML = ""; setStatus("输入词语开始搜索。"); return; }
    show(text, filters, pageLimit, function (found, shown) {
      resultsList.innerHTML = found.results.map(function (r, i) {
        return "<li>" + resultHtml(r, found.clauses, i < shown.length ? 120 : 0) + "</li>";
      }).join("");
      if (found.results.length === 0 && found.complete) {
        statusLine.innerHTML = noResultsHtml(text);
      } else {
        setStatus("找到" + countText(found) + "结果。");
      }
      if (moreButton) { moreButton.hidden = found.complete; }
    });
  }

  var moreButton = document.getElementById("search-more");
  if (moreButton) {
    moreButton.addEventListener("click", function () { pageLimit += PAGE_RESULTS; runPageSearch(); });
  }

  if (pageInput && resultsList) {
    var params = new URLSearchParams(window.location.search);
    pageInput.value = params.get("q") || "";
    setStatus("正在加载索引…");
    loadMeta().then(function (loaded) {
      fillSelect("filter-kind", loaded.kinds.filter(function (k) { return k[0] !== "page"; }), params.get("kind"));
      fillSelect("filter-level", loaded.levels, params.get("level"));
      fillSelect("filter-tag", loaded.tags, params.get("tag"));
      runPageSearch();
      pageInput.addEventListener("input", function () { pageLimit = PAGE_RESULTS; debounce(runPageSearch); });
      document.getElementById("search-page-form").addEventListener("submit", function (event) { event.preventDefault(); runPageSearch(); });
    }).catch(function (error) { setStatus(error.message); });
  }

  /* For tests and benchmarks: query(text, filters) → Promise of {clauses, results}. */
  window.PolicykbSearch = { loaded: function () { return Object.keys(pending); }, query: query, withText: withText, parseQuery: parseQuery, loadMeta: loadMeta, shardOf: shardOf };
})();
