/* policykb search, part 1 of 3: loading the index (written by src/search/).
 *
 * Every index file is a script that calls PolicykbIndex.receive(name, data), so it loads with
 * a <script> tag where fetch() would fail (file://). A query loads only what it needs:
 *   meta.js    once: every page's kind and level, every tag's pages (for filters and
 *              counts); filter lists; the traditional/simplified pairs the site needs;
 *              synonym groups. Small at any size: names are elsewhere;
 *   n-N.js     names chunks: url, title and aliases, for the pages a query ranks near the
 *              top and shows (pages N*meta.name_chunk …);
 *   p-N.js     the posting shards of the query's tokens (shard = FNV-1a hash of the token);
 *              "#" + a character lists the pages with that character in a title or alias;
 *   urls.js    every page's url as a 4-byte hash, to find the pages a learner has read
 *              without the names chunks;
 *   t-N.js     text chunks: summary, text and section starts, for phrases, snippets and
 *              linking to the section of a match;
 *   sounds.js  the readings of the characters of titles, aliases and tags, and their
 *              homophones, only for Latin-letter queries and typos;
 *   s-ab.js …  those terms by the first two letters of their spellings: a pinyin query loads
 *              the file of its first two letters;
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
    return load("meta").then(() => fileName(name));
  }

  const HASH_LENGTH = 10;

  /* The file of index file `name` once meta.js is loaded: `p-3` → `p-3.1a2b3c4d5e.js`, from
   * the hashes of its numbered family, or by name. */
  function fileName(name) {
    if (name === "meta" || name === "cards") { return name + ".js"; }
    const files = received.meta ? received.meta.files : { numbered: {}, named: {} };
    const numbered = /^([a-z]+)-(\d+)$/.exec(name);
    const hashes = numbered && files.numbered[numbered[1]];
    const hash = hashes ? hashes.substr(Number(numbered[2]) * HASH_LENGTH, HASH_LENGTH) : "";
    if (hash.length === HASH_LENGTH && hash[0] !== "-") { return name + "." + hash + ".js"; }
    return files.named[name] || name + ".js";
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

  /* The site's pages as documents: {id, kind, level, tags, …}; url, title and aliases are
   * null until `withNames` has loaded them, summary and text until `withText`. */
  async function loadMeta() {
    const raw = await load("meta");
    if (meta) { return meta; }
    tokenizer.setFold(raw.fold);
    /* One character per page: "a" for 0, "b" for 1 … (see `small_number` in Rust). */
    const small = (text, id) => text.charCodeAt(id) - 0x61;
    const docs = Array.from({ length: raw.page_kinds.length }, (_, id) => {
      const kind = raw.kinds[small(raw.page_kinds, id)] || ["", ""];
      const level = raw.levels[small(raw.page_levels, id) - 1] || ["", ""];
      return {
        id, url: null, title: null, kind: kind[0], kind_name: kind[1], level: level[0], level_name: level[1],
        tags: [], tag_names: [], aliases: null, folded_title: null, folded_aliases: null,
        summary: null, text: null, sections: null, haystack: null
      };
    });
    raw.tag_pages = raw.tags.map((tag) => {
      const pages = decode(tag[2]).pages;
      for (const id of pages) { docs[id].tags.push(tag[0]); docs[id].tag_names.push(tag[1]); }
      return pages;
    });
    raw.docs = docs;
    meta = raw;
    return meta;
  }

  /* FNV-1a over the UTF-16 code units of `text` (as `fnv1a` in Rust). */
  function fnv1a(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
  }

  function shardOf(token, shardCount) {
    return fnv1a(token) % (shardCount || meta.shards);
  }

  let pagesByHash = null;

  /* url hash → the pages with that hash (almost always one), from urls.js. */
  async function loadUrlHashes() {
    const encoded = await load("urls");
    if (!pagesByHash) {
      const bytes = atob(encoded);
      const byHash = new Map();
      for (let id = 0; id * 4 + 3 < bytes.length; id++) {
        const at = id * 4;
        const hash = (bytes.charCodeAt(at) | bytes.charCodeAt(at + 1) << 8 | bytes.charCodeAt(at + 2) << 16 | bytes.charCodeAt(at + 3) << 24) >>> 0;
        const ids = byHash.get(hash);
        if (ids) { ids.push(id); } else { byHash.set(hash, [id]); }
      }
      pagesByHash = byHash;
    }
    return pagesByHash;
  }

  /* Of `urls`, those a page of this site has, by their hashes alone: no names chunk loads,
   * and a removed page is miscounted only if its url's 32-bit hash is another page's. */
  async function likelyUrls(urls) {
    const byHash = await loadUrlHashes();
    return urls.filter((url) => byHash.has(fnv1a(url)));
  }

  /* url → document of each of `urls` this site has, names loaded: only the names chunks
   * of those pages load. */
  async function pagesAt(urls) {
    const meta = await loadMeta();
    const byHash = await loadUrlHashes();
    const candidates = [];
    for (const url of urls) {
      for (const id of byHash.get(fnv1a(url)) || []) { candidates.push(meta.docs[id]); }
    }
    await withNames(candidates);
    const wanted = new Set(urls);
    return new Map(candidates.filter((doc) => wanted.has(doc.url)).map((doc) => [doc.url, doc]));
  }

  /* Loads the shards holding `tokens`. */
  function loadPostings(tokens) {
    const shards = new Set(tokens.map((t) => shardOf(t)));
    return Promise.all(Array.from(shards, (n) => load("p-" + n)));
  }

  /* {pages, placements, length} (typed arrays) from base64 varints of
   * (page - previous page) * 4 + placement. */
  function decode(encoded) {
    const bytes = atob(encoded);
    const pages = new Uint32Array(bytes.length);
    const placements = new Uint8Array(bytes.length);
    let length = 0;
    let page = 0;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes.charCodeAt(i);
      value += (b & 0x7f) * Math.pow(2, shift);
      if (b & 0x80) { shift += 7; continue; }
      page += Math.floor(value / 4);
      pages[length] = page;
      placements[length] = value % 4;
      length++;
      value = 0;
      shift = 0;
    }
    return { pages: pages.subarray(0, length), placements: placements.subarray(0, length), length };
  }

  /* Decoded postings, kept per token: a common bigram's list is long, and the type-ahead box
   * asks for the same tokens again with every character typed. */
  const decoded = new Map();
  const DECODED_TOKENS = 256;

  const NO_POSTINGS = { pages: new Uint32Array(0), placements: new Uint8Array(0), length: 0 };

  /* The postings {pages, placements, length} of a token whose shard is loaded. */
  function postingsOf(token) {
    const shard = received["p-" + shardOf(token)];
    const encoded = shard && shard[token];
    if (!encoded) { return NO_POSTINGS; }
    let postings = decoded.get(token);
    if (!postings) {
      postings = decode(encoded);
      if (decoded.size >= DECODED_TOKENS) { decoded.delete(decoded.keys().next().value); }
      decoded.set(token, postings);
    }
    return postings;
  }

  /* The pages with character `c` (folded) in their title or alias, as postings; its shard
   * must be loaded (`loadPostings([nameToken(c)])`). */
  function nameToken(c) { return "#" + c; }

  /* The pages whose whole title or alias (folded) is `name`, as postings; its shard must be
   * loaded. */
  function wholeNameToken(name) { return "=" + name; }

  /* Loads the names (url, title, aliases) of `docs`. */
  async function withNames(docs) {
    const chunks = new Set();
    for (const doc of docs) { if (doc.title === null) { chunks.add(Math.floor(doc.id / meta.name_chunk)); } }
    await Promise.all(Array.from(chunks, async (n) => {
      const names = await load("n-" + n);
      names.forEach((entry, i) => {
        const doc = meta.docs[n * meta.name_chunk + i];
        if (doc.title !== null) { return; }
        doc.url = entry[0];
        doc.title = entry[1];
        doc.aliases = entry[2];
        doc.folded_title = tokenizer.normalise(entry[1]);
        doc.folded_aliases = entry[2].map(tokenizer.normalise);
      });
    }));
    return docs;
  }

  /* Loads the names and text chunks of `docs`: summary, text, sections, and the folded
   * haystack (title, aliases, tags, summary, text) that clauses are checked against. */
  async function withText(docs) {
    await withNames(docs);
    const chunks = new Set();
    for (const doc of docs) { if (doc.text === null) { chunks.add(Math.floor(doc.id / meta.chunk)); } }
    await Promise.all(Array.from(chunks, async (n) => {
      const texts = await load("t-" + n);
      const docs = meta.docs.slice(n * meta.chunk, n * meta.chunk + texts.length);
      await withNames(docs);
      texts.forEach((entry, i) => {
        const doc = docs[i];
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

  function loadSounds() { return load("sounds"); }

  /* [[term, target], …]: the terms whose spellings start with `letter` (a–z). */
  function loadSoundTerms(start) {
    return loadMeta().then(() => (received.meta.files.named["s-" + start] ? load("s-" + start) : []));
  }

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

  global.PolicykbIndex = { receive, load, loadMeta, current, shardOf, likelyUrls, pagesAt, loadPostings, postingsOf, nameToken, wholeNameToken, withNames, withText, loadSounds, loadSoundTerms, loadCard, loaded, fileName, root };
})(window);
