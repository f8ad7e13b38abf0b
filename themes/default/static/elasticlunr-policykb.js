/* elasticlunr.js 0.9.5 with policykb's Chinese tokens, for pages that query the exported
 * index (`search: { elasticlunr: true }` in site.yaml; see README.md). Load elasticlunr.js,
 * then search/elasticlunr-tokenizer.js (tokenizer.js and this file), then the index:
 *
 *   const index = PolicykbElasticlunr.load(window.searchIndex);
 *   PolicykbElasticlunr.search(index, "主体责任", 10)  // → [{title, url, kind, summary, score}]
 *
 * The index holds Han bigrams folded full-width → half-width, traditional → simplified and
 * to lower case, and no pipeline (elasticlunr's English trimmer would delete Chinese), so
 * queries must be tokenized the same way: this replaces elasticlunr.tokenizer. */
(function (global) {
  "use strict";

  const tokenizer = global.PolicykbTokenizer;
  const elasticlunr = global.elasticlunr;
  if (!tokenizer || !elasticlunr) { return; }

  function tokenize(text) {
    if (text === null || text === undefined) { return []; }
    if (Array.isArray(text)) { return text.reduce((all, part) => all.concat(tokenize(part)), []); }
    return tokenizer.tokenize(String(text));
  }
  // Keep what else elasticlunr hangs on its tokenizer (setSeperator and the like).
  for (const key of Object.keys(elasticlunr.tokenizer)) { tokenize[key] = elasticlunr.tokenizer[key]; }
  elasticlunr.tokenizer = tokenize;

  /* Field boosts, in the order the built-in search weighs them. */
  const FIELDS = { title: { boost: 10 }, aliases: { boost: 8 }, tags: { boost: 4 }, body: { boost: 1 } };

  /* The index exported by policykb, ready to search: its folding pairs are set first. */
  function load(data) {
    tokenizer.setFold(data && data.policykb ? data.policykb.fold : "");
    return elasticlunr.Index.load(data);
  }

  /* The best `limit` pages for `query`: what the document store holds of each, and its score.
   * Pages with every token of the query in one field come first (a phrase is all its
   * bigrams); when there are none, pages with any. */
  function search(index, query, limit) {
    const text = String(query || "");
    let found = index.search(text, { fields: FIELDS, bool: "AND", expand: false });
    if (found.length === 0) { found = index.search(text, { fields: FIELDS, bool: "OR", expand: false }); }
    return found.slice(0, limit || 10).map((hit) => Object.assign({ score: hit.score }, index.documentStore.getDoc(hit.ref)));
  }

  global.PolicykbElasticlunr = { load, search, tokenize, fields: FIELDS };
})(window);
