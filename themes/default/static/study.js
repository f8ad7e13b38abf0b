/* Self-study, kept in the browser: pages marked 已学, bookmarks (收藏), the last page opened,
 * ticks of self-check lists and answers to self-test questions.
 *
 * Everything lives in localStorage under one key per site (its title), so it works over
 * HTTP and from file:// with no server, and nothing leaves the machine. A page counts as
 * studied when the reader presses 标为已学 (the one rule: nothing is marked behind the
 * reader's back). Pages are named by their URL relative to the site root; entries for
 * pages a rebuilt site no longer has are ignored wherever they are shown, and dropped on
 * import. The 我的学习 page exports the record as a JSON file and imports one. */
(function (global) {
  "use strict";

  const body = document.body;
  const root = body.getAttribute("data-root") || "";
  const siteRoot = new URL(root || "./", global.location.href);
  const KEY = "policykb-study:" + (body.getAttribute("data-site") || "");
  const FORMAT = "policykb-study";

  function empty() {
    return { format: FORMAT, version: 1, done: {}, bookmarks: {}, visited: {}, checks: {}, answers: {}, last: null };
  }

  function read() {
    try {
      const stored = JSON.parse(global.localStorage.getItem(KEY) || "null");
      return normalise(stored) || empty();
    } catch (e) {
      return empty();
    }
  }

  /* A record as stored or imported, with every part present and of the right type. */
  function normalise(data) {
    if (!data || typeof data !== "object") { return null; }
    const record = empty();
    for (const part of ["done", "bookmarks", "visited", "checks", "answers"]) {
      if (data[part] && typeof data[part] === "object") { record[part] = Object.assign({}, data[part]); }
    }
    if (data.last && typeof data.last === "object" && typeof data.last.url === "string") { record.last = data.last; }
    return record;
  }

  function write(record) {
    try { global.localStorage.setItem(KEY, JSON.stringify(record)); return true; } catch (e) { return false; }
  }

  function update(change) {
    const record = read();
    change(record);
    write(record);
    refresh(record);
    return record;
  }

  /* The site-relative URL of a link, or null if it does not lead to a page of this site. */
  function pageOf(href) {
    try {
      const url = new URL(href, global.location.href);
      if (!url.href.startsWith(siteRoot.href)) { return null; }
      const path = decodeURIComponent(url.pathname.slice(siteRoot.pathname.length));
      return path.endsWith(".html") ? path : null;
    } catch (e) {
      return null;
    }
  }

  const here = body.getAttribute("data-page");

  /* ---------- on every page ---------- */

  function refresh(record) {
    for (const link of document.querySelectorAll("main a[href]")) {
      const page = pageOf(link.getAttribute("href"));
      const done = !!(page && record.done[page]);
      link.classList.toggle("studied", done);
      if (done && !link.querySelector(".studied-mark")) {
        const mark = document.createElement("span");
        mark.className = "studied-mark";
        mark.textContent = "✓";
        mark.setAttribute("aria-label", "已学");
        mark.setAttribute("role", "img");
        link.appendChild(mark);
      } else if (!done) {
        const mark = link.querySelector(".studied-mark");
        if (mark) { mark.remove(); }
      }
    }
    for (const bar of document.querySelectorAll("[data-progress-of]")) {
      const pages = Array.from(new Set(bar.getAttribute("data-progress-of").split(/\s+/).filter(Boolean)));
      showProgress(bar, pages.filter((p) => record.done[p]).length, pages.length);
    }
    for (const bar of document.querySelectorAll("[data-progress-links]")) {
      const content = document.querySelector("article .content") || document.querySelector("main");
      const pages = Array.from(new Set(Array.from(content.querySelectorAll("a[href]"), (a) => pageOf(a.getAttribute("href"))).filter(Boolean)));
      showProgress(bar, pages.filter((p) => record.done[p]).length, pages.length);
    }
    const doneButton = document.querySelector("[data-study-done]");
    if (doneButton && here) {
      const done = !!record.done[here];
      doneButton.hidden = false;
      doneButton.setAttribute("aria-pressed", String(done));
      doneButton.textContent = done ? "已学 ✓（点击取消）" : "标为已学";
    }
    const bookmarkButton = document.querySelector("[data-study-bookmark]");
    if (bookmarkButton && here) {
      const marked = !!record.bookmarks[here];
      bookmarkButton.hidden = false;
      bookmarkButton.setAttribute("aria-pressed", String(marked));
      bookmarkButton.textContent = marked ? "已收藏 ★" : "收藏";
    }
  }

  function showProgress(element, done, total) {
    if (total === 0) { element.hidden = true; return; }
    element.hidden = false;
    element.innerHTML = "";
    const label = document.createElement("span");
    label.textContent = "已学 " + done + " / " + total;
    const bar = document.createElement("progress");
    bar.max = total;
    bar.value = done;
    bar.setAttribute("aria-label", "学习进度");
    element.append(label, " ", bar);
  }

  if (here) {
    const next = document.querySelector('.prev-next a[rel="next"]');
    update((record) => {
      record.visited[here] = Date.now();
      record.last = { url: here, title: document.title.split(" · ")[0], next: next ? pageOf(next.getAttribute("href")) : null };
    });
  }

  const doneButton = document.querySelector("[data-study-done]");
  if (doneButton && here) {
    doneButton.addEventListener("click", () => update((record) => {
      if (record.done[here]) { delete record.done[here]; } else { record.done[here] = Date.now(); }
    }));
  }
  const bookmarkButton = document.querySelector("[data-study-bookmark]");
  if (bookmarkButton && here) {
    bookmarkButton.addEventListener("click", () => update((record) => {
      if (record.bookmarks[here]) { delete record.bookmarks[here]; } else { record.bookmarks[here] = Date.now(); }
    }));
  }

  /* ---------- self-check lists ---------- */

  for (const box of document.querySelectorAll("input[data-check]")) {
    const key = box.getAttribute("data-check");
    box.checked = !!read().checks[key];
    box.addEventListener("change", () => update((record) => {
      if (box.checked) { record.checks[key] = Date.now(); } else { delete record.checks[key]; }
    }));
  }

  /* ---------- self-test questions ---------- */

  function showAnswer(item, correct) {
    const result = item.querySelector(".quiz-result");
    result.hidden = false;
    const verdict = item.querySelector(".quiz-verdict");
    if (correct === null) {
      verdict.textContent = "";
    } else {
      verdict.textContent = correct ? "回答正确。" : "回答不正确。";
      item.classList.toggle("quiz-correct", correct);
      item.classList.toggle("quiz-wrong", !correct);
    }
  }

  function scoreQuizzes(record) {
    const items = Array.from(document.querySelectorAll("[data-quiz]"));
    const score = document.querySelector("[data-quiz-score]");
    if (!score || items.length === 0) { return; }
    const answered = items.filter((i) => record.answers[i.getAttribute("data-quiz")]);
    const right = answered.filter((i) => record.answers[i.getAttribute("data-quiz")].correct);
    score.textContent = "已答 " + answered.length + " / " + items.length + " 题，答对 " + right.length + " 题。";
  }

  function keep(key, given, correct) {
    const record = update((r) => { r.answers[key] = { given, correct, at: Date.now() }; });
    scoreQuizzes(record);
  }

  for (const item of document.querySelectorAll("[data-quiz]")) {
    const key = item.getAttribute("data-quiz");
    const answer = item.getAttribute("data-answer");
    const check = item.querySelector(".quiz-check");
    const reveal = item.querySelector(".quiz-reveal");
    const stored = read().answers[key];
    if (check) {
      check.hidden = false;
      check.addEventListener("click", () => {
        const chosen = item.querySelector("input[type=radio]:checked");
        if (!chosen) { item.querySelector(".quiz-verdict").textContent = "请先选择一个答案。"; item.querySelector(".quiz-result").hidden = false; return; }
        const correct = chosen.value === answer;
        showAnswer(item, correct);
        keep(key, chosen.value, correct);
      });
      if (stored) {
        const option = item.querySelector('input[type=radio][value="' + stored.given + '"]');
        if (option) { option.checked = true; }
        showAnswer(item, stored.correct);
      }
    }
    if (reveal) {
      reveal.hidden = false;
      reveal.addEventListener("click", () => showAnswer(item, null));
      item.querySelector(".quiz-right").addEventListener("click", () => { showAnswer(item, true); keep(key, "", true); });
      item.querySelector(".quiz-wrong").addEventListener("click", () => { showAnswer(item, false); keep(key, "", false); });
      if (stored) { showAnswer(item, stored.correct); }
    }
  }
  scoreQuizzes(read());

  /* ---------- the home page: continue where you left off ---------- */

  const continuing = document.querySelector("[data-study-continue]");
  if (continuing) {
    const record = read();
    const links = continuing.querySelector("[data-continue-links]");
    if (record.last) {
      continuing.hidden = false;
      const parts = ['上次看到：<a href="' + escape(root + record.last.url) + '">' + escape(record.last.title || record.last.url) + "</a>"];
      if (record.last.next) { parts.push('下一篇：<a href="' + escape(root + record.last.next) + '">继续阅读 ›</a>'); }
      links.innerHTML = parts.join(" · ");
    }
    const all = continuing.querySelector("[data-progress-all]");
    if (all && global.PolicykbIndex) {
      /* Which pages read still exist: by their urls' hashes (urls.js), loaded only
       * when something has been read. */
      const done = Object.keys(record.done);
      Promise.all([global.PolicykbIndex.loadMeta(), done.length ? global.PolicykbIndex.likelyUrls(done) : []])
        .then(([meta, known]) => {
          showProgress(all, known.length, meta.docs.length);
          if (done.length) { continuing.hidden = false; }
        }).catch(() => {});
    }
  }

  /* The pages a record names (its keys, `url` or `url#…`) that this site has: url →
   * document with its title; only those pages' names chunks load. */
  function pagesOf(record) {
    const urls = new Set();
    for (const part of ["done", "bookmarks", "visited", "checks", "answers"]) {
      for (const key of Object.keys(record[part])) { urls.add(key.split("#")[0]); }
    }
    if (record.last) { urls.add(record.last.url); }
    return global.PolicykbIndex.pagesAt(Array.from(urls));
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  /* ---------- 我的学习: lists, export, import, clear ---------- */

  const overview = document.querySelector("[data-study-overview]");
  if (overview && global.PolicykbIndex) {
    const message = document.querySelector("[data-study-message]");
    const say = (text) => { if (message) { message.textContent = text; } };
    const show = async () => {
      const meta = await global.PolicykbIndex.loadMeta();
      const record = read();
      const byUrl = await pagesOf(record);
      const list = (part) => Object.keys(record[part]).filter((u) => byUrl.has(u)).sort((a, b) => record[part][b] - record[part][a]);
      const done = list("done");
      const answers = Object.keys(record.answers).filter((k) => byUrl.has(k.split("#")[0]));
      const right = answers.filter((k) => record.answers[k].correct).length;
      overview.innerHTML = "";
      const progress = document.createElement("p");
      showProgress(progress, done.length, meta.docs.length);
      const quiz = document.createElement("p");
      quiz.textContent = "自测：已答 " + answers.length + " 题，答对 " + right + " 题。";
      overview.append(progress, quiz);
      for (const part of ["done", "bookmarks"]) {
        const target = document.querySelector('[data-study-list="' + part + '"]');
        const urls = list(part);
        target.innerHTML = urls.length ? urls.map((u) => '<li><a href="' + escape(root + u) + '">' + escape(byUrl.get(u).title) + '</a> <span class="muted">· ' + escape(byUrl.get(u).kind_name) + "</span></li>").join("") : "<li class=\"muted\">还没有。</li>";
      }
    };
    show().catch((e) => say(e.message));
    document.querySelector("[data-study-export]").addEventListener("click", () => {
      const blob = new Blob([JSON.stringify(read(), null, 1)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "学习记录.json";
      document.body.appendChild(link);
      link.click();
      link.remove();
      say("已导出。");
    });
    document.querySelector("[data-study-import]").addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      if (!file) { return; }
      const reader = new FileReader();
      reader.onload = async () => {
        try {
          const incoming = normalise(JSON.parse(String(reader.result)));
          if (!incoming) { throw new Error("不是学习记录文件"); }
          const known = await pagesOf(incoming);
          const pageKnown = (key) => known.has(key.split("#")[0]);
          const merged = read();
          let dropped = 0;
          for (const part of ["done", "bookmarks", "visited", "checks", "answers"]) {
            for (const [key, value] of Object.entries(incoming[part])) {
              if (pageKnown(key)) { merged[part][key] = value; } else { dropped++; }
            }
          }
          if (incoming.last && known.has(incoming.last.url)) { merged.last = incoming.last; }
          write(merged);
          refresh(merged);
          await show();
          say("已导入。" + (dropped ? "（有 " + dropped + " 条记录对应的页面已不存在，已略过。）" : ""));
        } catch (e) {
          say("导入失败：" + e.message);
        }
      };
      reader.readAsText(file);
    });
    document.querySelector("[data-study-clear]").addEventListener("click", async () => {
      if (!global.confirm("清除这台电脑上的全部学习记录？")) { return; }
      write(empty());
      refresh(empty());
      await show();
      say("已清除。");
    });
  }

  refresh(read());
  global.PolicykbStudy = { read, write, key: KEY };
})(window);
