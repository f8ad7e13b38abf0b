/* policykb search, part 1 of 3: loading the index (written by src/search/).
 *
 * Every index file is a script that calls PolicykbIndex.receive(name, data), so it loads with
 * a <script> tag where fetch() would fail (file://). A query loads only what it needs:
 *   meta.js    once: every page's url, title, kind, level, tags and aliases; filter lists;
 *              the traditional/simplified pairs the site needs; synonym groups;
 *   p-N.js     the posting shards of the query's tokens (shard = FNV-1a hash of the token);
 *   t-N.js     text chunks: summary, text and section starts, for phrases, snippets and
 *              linking to the section of a match;
 *   sounds.js  the readings of the characters of titles, aliases and tags, and their
 *              homophones, only for Latin-letter queries and typos;
 *   s-a.js …   those terms by the first letter of their spellings: a pinyin query loads
 *              the file of its first letter;
 *   cards.js   the names of the glossary's card files c-K.js (not a search file: any page
 *              loads it, at the first hover over a glossary link; see src/search/cards.rs).
 * Every file but meta.js and cards.js has its content's hash in its name
 * (p-3.1a2b3c4d5e.js); those two list the names, so a page never combines files of two
 * builds. */
(function (global) {
  "use strict";

  const tokenizer = global.PolicykbTokenizer;
  const body = document.body;
  const root = (body && body.getAttribute("data-root")) || "";
  const folder = (body && body.getAttribute("data-search")) || "search/";
  const received = {};
  const pending = {};

  function receive(name, data) {
    received[name] = data;
    if (pending[name]) { pending[name].resolve(data); }
  }

  /* The file index file `name` is in: meta.js, or the name meta.js lists for it. */
  function fileOf(name) {
    if (name === "meta" || name === "cards") { return Promise.resolve(name + ".js"); }
    if (/^c-\d+$/.test(name)) {
      return load("cards").then((list) => list.files[Number(name.slice(2))] || name + ".js");
    }
    return load("meta").then((raw) => raw.files[name] || name + ".js");
  }

  /* The data of index file `name`, loading it once. */
  function load(name) {
    if (!pending[name]) {
      let handlers = {};
      const promise = new Promise((resolve, reject) => { handlers = { resolve, reject }; });
      pending[name] = { promise, resolve: handlers.resolve };
      if (name in received) {
        handlers.resolve(received[name]);
      } else {
        fileOf(name).then((file) => {
          const script = document.createElement("script");
          script.src = root + folder + file;
          script.onerror = () => handlers.reject(new Error("无法加载搜索索引文件 " + folder + file));
          document.head.appendChild(script);
        }, handlers.reject);
      }
    }
    return pending[name].promise;
  }

  let meta = null;

  /* The site's pages as documents: {id, url, title, kind, level, tags, aliases, …}. */
  async function loadMeta() {
    const raw = await load("meta");
    if (meta) { return meta; }
    tokenizer.setFold(raw.fold);
    meta = raw;
    meta.docs = raw.pages.map((p, id) => {
      const kind = raw.kinds[p[2]] || ["", ""];
      const level = p[3] >= 0 ? raw.levels[p[3]] : ["", ""];
      return {
        id, url: p[0], title: p[1], kind: kind[0], kind_name: kind[1], level: level[0], level_name: level[1],
        tags: p[4].map((t) => raw.tags[t][0]),
        tag_names: p[4].map((t) => raw.tags[t][1]),
        aliases: p[5],
        folded_title: tokenizer.normalise(p[1]),
        folded_aliases: p[5].map(tokenizer.normalise),
        summary: null, text: null, sections: null, haystack: null
      };
    });
    return meta;
  }

  function shardOf(token, shardCount) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < token.length; i++) {
      hash ^= token.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % (shardCount || meta.shards);
  }

  /* Loads the shards holding `tokens`. */
  function loadPostings(tokens) {
    const shards = new Set(tokens.map((t) => shardOf(t)));
    return Promise.all(Array.from(shards, (n) => load("p-" + n)));
  }

  /* [[page, placement], …] of a token whose shard is loaded. */
  function postingsOf(token) {
    const shard = received["p-" + shardOf(token)];
    const encoded = shard && shard[token];
    if (!encoded) { return []; }
    const bytes = atob(encoded);
    const postings = [];
    let page = 0;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes.charCodeAt(i);
      value += (b & 0x7f) * Math.pow(2, shift);
      if (b & 0x80) { shift += 7; continue; }
      page += Math.floor(value / 4);
      postings.push([page, value % 4]);
      value = 0;
      shift = 0;
    }
    return postings;
  }

  /* Loads the text chunks of `docs`: summary, text, sections, and the folded haystack
   * (title, aliases, tags, summary, text) that clauses are checked against. */
  async function withText(docs) {
    const chunks = new Set();
    for (const doc of docs) { if (doc.text === null) { chunks.add(Math.floor(doc.id / meta.chunk)); } }
    await Promise.all(Array.from(chunks, async (n) => {
      const texts = await load("t-" + n);
      texts.forEach((entry, i) => {
        const doc = meta.docs[n * meta.chunk + i];
        if (doc.text !== null) { return; }
        doc.summary = entry[0];
        doc.text = entry[1];
        doc.sections = entry[2] || [];
        doc.folded_text = tokenizer.foldUnits(doc.text);
        doc.haystack = tokenizer.normalise([doc.title, doc.aliases.join(" "), doc.tag_names.join(" "), doc.summary, doc.text].join("\n"));
      });
    }));
    return docs;
  }

  /* The folded title, aliases and tag names of a page whose text is not loaded: what can be
   * matched without a download. */
  function namesOf(doc) {
    if (doc.names === undefined) {
      doc.names = tokenizer.normalise([doc.title, doc.aliases.join(" "), doc.tag_names.join(" ")].join("\n"));
    }
    return doc.names;
  }

  function loadSounds() { return load("sounds"); }

  /* [[term, target], …]: the terms whose spellings start with `letter` (a–z). */
  function loadSoundTerms(letter) { return load("s-" + letter); }

  /* Glossary card `number`: [where it leads, relative to the site root; its text], or null. */
  function loadCard(number) {
    return load("cards").then((list) => {
      const file = Math.floor(number / list.per_file);
      return load("c-" + file).then((cards) => cards[number % list.per_file] || null);
    });
  }

  /* The names of the index files loaded so far (for tests and the benchmark). */
  function loaded() { return Object.keys(pending); }

  /* The loaded metadata, or an empty stand-in before it has loaded. */
  function current() { return meta || { tags: [], docs: [] }; }

  global.PolicykbIndex = { receive, load, loadMeta, current, shardOf, loadPostings, postingsOf, withText, namesOf, loadSounds, loadSoundTerms, loadCard, loaded, root };
})(window);
