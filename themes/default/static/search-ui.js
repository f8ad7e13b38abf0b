/* policykb search, part 3 of 3: the search box, the search page, and highlighting on the
 * page a result opens. All content is escaped before it is shown.
 *
 * The box in the header is an ARIA combobox: the results list is a listbox whose options
 * the arrow keys move through (aria-activedescendant), Enter opens, Escape closes. A click
 * on a result opens the page at the section of the match with the words highlighted
 * (`?highlight=` on the page's URL, read by `highlightOnPage`). */
(function (global) {
  "use strict";

  const tokenizer = global.PolicykbTokenizer;
  const index = global.PolicykbIndex;
  const engine = global.PolicykbQuery;
  const root = index.root;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  /* `text` with every match of the clauses marked, escaped. */
  function highlight(text, clauses) {
    const folded = tokenizer.foldUnits(text);
    const marks = [];
    for (const c of clauses) {
      if (!c.text) { continue; }
      for (let at = folded.indexOf(c.text); at >= 0; at = folded.indexOf(c.text, at + c.text.length)) {
        marks.push([at, at + c.text.length]);
      }
    }
    marks.sort((a, b) => a[0] - b[0]);
    let html = "";
    let position = 0;
    for (const [start, end] of marks) {
      if (start < position) { continue; }
      html += escapeHtml(text.slice(position, start)) + "<mark>" + escapeHtml(text.slice(start, end)) + "</mark>";
      position = end;
    }
    return html + escapeHtml(text.slice(position));
  }

  function snippet(doc, clauses, width) {
    if (doc.text === null || width === 0) { return ""; }
    const text = doc.summary + "　" + doc.text;
    const folded = tokenizer.foldUnits(text);
    let best = -1;
    for (const c of clauses) {
      const at = folded.indexOf(c.text);
      if (at >= 0 && (best < 0 || at < best)) { best = at; }
    }
    if (best < 0) { return highlight(doc.summary, clauses); }
    const start = Math.max(0, best - Math.floor(width / 3));
    const end = Math.min(text.length, start + width);
    return (start > 0 ? "…" : "") + highlight(text.slice(start, end), clauses) + (end < text.length ? "…" : "");
  }

  function resultHtml(result, width, attributes) {
    const doc = result.doc;
    const info = [doc.kind_name, doc.level_name].filter(Boolean).join(" · ");
    const badge = result.full ? "" : ' <span class="match-partial">部分匹配</span>';
    return "<a" + (attributes || "") + ' href="' + escapeHtml(root + result.href) + '"><strong>' + highlight(doc.title, result.clauses) + "</strong>" +
      ' <span class="result-meta">' + escapeHtml(info) + "</span>" + badge +
      '<span class="snippet">' + snippet(doc, result.clauses, width) + "</span></a>";
  }

  function tagHtml(tag) {
    return '<a class="tag-result" tabindex="-1" href="' + escapeHtml(root + tag.url) + '">标签：<strong>' + escapeHtml(tag.name) +
      '</strong> <span class="result-meta">' + tag.pages + " 页</span></a>";
  }

  function suggestionHtml(found) {
    if (!found.suggestion) { return ""; }
    return '<p class="suggestion">您要找的是不是：<a href="' + escapeHtml(root + "search.html?q=" + encodeURIComponent(found.suggestion)) +
      '">' + escapeHtml(found.suggestion) + "</a>？</p>";
  }

  function nearbyTags(meta, text) {
    const chars = Array.from(tokenizer.normalise(text)).filter(tokenizer.isHan);
    return meta.tags.filter((tag) => chars.some((c) => tag[1].includes(c))).slice(0, 6);
  }

  function noResultsHtml(text) {
    let html = "没有找到与“" + escapeHtml(text) + "”匹配的内容。";
    const tags = nearbyTags(index.current(), text);
    if (tags.length) {
      html += " 可以看看这些标签：" + tags.map((t) => '<a href="' + escapeHtml(root + "tags/" + t[0] + ".html") + '">' + escapeHtml(t[1]) + "</a>").join("、");
    }
    return html;
  }

  /* " 12 条" when every result is certain, " 约 40 条" while candidates remain unchecked,
   * " 至少 12 条" when a single-character query left pages' text unread. */
  function countText(found) {
    const full = found.results.filter((r) => r.full).length;
    const partial = found.results.length - full;
    const total = found.unread ? "至少 " + full : found.complete ? String(full) : "约 " + (full + found.more);
    return " " + total + " 条完全匹配" + (partial ? "、" + partial + " 条部分匹配" : "");
  }

  /* Runs a query and shows its first `limit` results with snippets; stale answers are dropped. */
  let latest = 0;
  async function show(text, filters, limit, render) {
    const ticket = ++latest;
    try {
      const found = await engine.query(text, filters, limit);
      const shown = found.results.slice(0, limit);
      await index.withText(shown.map((r) => r.doc));
      if (ticket === latest) { render(found, shown); }
    } catch (error) {
      setStatus(error.message);
    }
  }

  /* ---------- the box in the header: a combobox with results as you type ---------- */

  const input = document.getElementById("search-input");
  const dropdown = document.getElementById("search-dropdown");
  let active = -1;
  let timer = null;

  function debounce(fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, 120);
  }

  function options() {
    return dropdown ? Array.from(dropdown.querySelectorAll('[role="option"]')) : [];
  }

  function setExpanded(open) {
    dropdown.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { input.removeAttribute("aria-activedescendant"); active = -1; }
  }

  function showDropdown() {
    const text = input.value.trim();
    if (text === "") { setExpanded(false); return; }
    show(text, null, 8, (found, shown) => {
      const links = found.tags.map(tagHtml).concat(shown.map((r) => resultHtml(r, 60, ' tabindex="-1"')));
      const items = links.map((html, n) => '<li role="option" id="search-option-' + n + '" aria-selected="false">' + html + "</li>");
      let html = suggestionHtml(found);
      if (items.length === 0) {
        html += '<p class="more">' + noResultsHtml(text) + "</p>";
      } else {
        html += '<ul role="listbox" id="search-listbox" aria-label="搜索结果">' + items.join("") + "</ul>" +
          '<a class="more" href="' + escapeHtml(root + "search.html?q=" + encodeURIComponent(text)) + '">查看全部' + countText(found) + "结果 ›</a>";
      }
      dropdown.innerHTML = html;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      setExpanded(true);
    });
  }

  function moveActive(step) {
    const all = options();
    if (all.length === 0) { return; }
    if (active >= 0 && all[active]) { all[active].setAttribute("aria-selected", "false"); all[active].classList.remove("active"); }
    active = (active + step + all.length) % all.length;
    all[active].setAttribute("aria-selected", "true");
    all[active].classList.add("active");
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  if (input && dropdown) {
    if (global.matchMedia && global.matchMedia("(hover: hover) and (pointer: fine)").matches) {
      input.placeholder = "搜索（按 / 聚焦）";
    }
    input.addEventListener("input", () => debounce(showDropdown));
    input.addEventListener("focus", () => { index.loadMeta().catch(() => {}); });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { event.preventDefault(); moveActive(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); moveActive(-1); }
      else if (event.key === "Escape") { setExpanded(false); }
      else if (event.key === "Enter" && active >= 0) {
        const link = options()[active] && options()[active].querySelector("a");
        if (link) { event.preventDefault(); global.location.href = link.href; }
      }
    });
    document.addEventListener("click", (event) => {
      if (!dropdown.contains(event.target) && event.target !== input) { setExpanded(false); }
    });
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "/" || event.key === "s") {
      const box = document.getElementById("search-page-input") || input;
      if (box) { event.preventDefault(); box.focus(); }
    }
  });

  /* ---------- the search page: ?q= in, ranked links out ---------- */

  const pageInput = document.getElementById("search-page-input");
  const resultsList = document.getElementById("search-results");
  const statusLine = document.getElementById("search-status");
  const PAGE_RESULTS = 50;
  let pageLimit = PAGE_RESULTS;

  function setStatus(text) { if (statusLine) { statusLine.textContent = text; } }

  function selectValue(id) {
    const element = document.getElementById(id);
    return element ? element.value : "";
  }

  function fillSelect(id, choices, selected) {
    const element = document.getElementById(id);
    if (!element) { return; }
    for (const choice of choices) {
      const node = document.createElement("option");
      node.value = choice[0];
      node.textContent = choice[1];
      element.appendChild(node);
    }
    element.value = selected || "";
    element.addEventListener("change", runPageSearch);
  }

  function updateUrl(text, filters) {
    const params = new URLSearchParams();
    if (text) { params.set("q", text); }
    for (const key of ["kind", "level", "tag"]) { if (filters[key]) { params.set(key, filters[key]); } }
    const search = params.toString();
    try { history.replaceState(null, "", search ? "?" + search : global.location.pathname); } catch (e) { /* file:// may refuse */ }
  }

  function runPageSearch() {
    const text = pageInput.value.trim();
    const filters = { kind: selectValue("filter-kind"), level: selectValue("filter-level"), tag: selectValue("filter-tag") };
    updateUrl(text, filters);
    if (text === "") { latest++; resultsList.innerHTML = ""; setStatus("输入词语开始搜索。"); return; }
    show(text, filters, pageLimit, (found, shown) => {
      const tags = found.tags.map((t) => '<li class="tag-item">' + tagHtml(t) + "</li>");
      const firstPartial = found.results.findIndex((r) => !r.full);
      const items = found.results.map((r, i) =>
        (i === firstPartial ? '<li class="match-heading" aria-hidden="true">部分匹配的结果</li>' : "") +
        "<li>" + resultHtml(r, i < shown.length ? 120 : 0) + "</li>");
      resultsList.innerHTML = tags.concat(items).join("");
      const suggestion = document.getElementById("search-suggestion");
      if (suggestion) { suggestion.innerHTML = suggestionHtml(found); }
      if (found.results.length === 0 && found.tags.length === 0 && found.more === 0 && !found.unread) {
        statusLine.innerHTML = noResultsHtml(text);
      } else {
        setStatus("找到" + countText(found) + "结果。" + (found.unread ? "单个字只查看了部分页面的正文，多输入一个字可查全部页面。" : ""));
      }
      if (moreButton) { moreButton.hidden = found.more === 0; }
    });
  }

  const moreButton = document.getElementById("search-more");
  if (moreButton) {
    moreButton.addEventListener("click", () => { pageLimit += PAGE_RESULTS; runPageSearch(); });
  }

  if (pageInput && resultsList) {
    const params = new URLSearchParams(global.location.search);
    pageInput.value = params.get("q") || "";
    setStatus("正在加载索引…");
    index.loadMeta().then((meta) => {
      fillSelect("filter-kind", meta.kinds.filter((k) => k[0] !== "page"), params.get("kind"));
      fillSelect("filter-level", meta.levels, params.get("level"));
      fillSelect("filter-tag", meta.tags, params.get("tag"));
      runPageSearch();
      pageInput.addEventListener("input", () => { pageLimit = PAGE_RESULTS; debounce(runPageSearch); });
      document.getElementById("search-page-form").addEventListener("submit", (event) => { event.preventDefault(); runPageSearch(); });
    }).catch((error) => setStatus(error.message));
  }

  /* ---------- on the page a result opened: mark the words searched for ---------- */

  function highlightOnPage() {
    const words = (new URLSearchParams(global.location.search).get("highlight") || "")
      .split(/\s+/).map((w) => tokenizer.normalise(w)).filter((w) => w.length > 0);
    const content = document.querySelector("article .content") || document.querySelector("main");
    if (words.length === 0 || !content) { return; }
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    let first = null;
    for (const node of nodes) {
      const text = node.nodeValue;
      const folded = tokenizer.foldUnits(text);
      const marks = [];
      for (const w of words) {
        for (let at = folded.indexOf(w); at >= 0; at = folded.indexOf(w, at + w.length)) { marks.push([at, at + w.length]); }
      }
      if (marks.length === 0) { continue; }
      marks.sort((a, b) => a[0] - b[0]);
      const fragment = document.createDocumentFragment();
      let position = 0;
      for (const [start, end] of marks) {
        if (start < position) { continue; }
        fragment.appendChild(document.createTextNode(text.slice(position, start)));
        const mark = document.createElement("mark");
        mark.className = "search-hit";
        mark.textContent = text.slice(start, end);
        fragment.appendChild(mark);
        first = first || mark;
        position = end;
      }
      fragment.appendChild(document.createTextNode(text.slice(position)));
      node.parentNode.replaceChild(fragment, node);
    }
    if (first && !global.location.hash) { first.scrollIntoView({ block: "center" }); }
  }

  highlightOnPage();

  /* For tests and benchmarks. */
  global.PolicykbSearch = {
    query: engine.query,
    parseQuery: engine.parseQuery,
    withText: index.withText,
    loadMeta: index.loadMeta,
    loaded: index.loaded,
    shardOf: index.shardOf
  };
})(window);
