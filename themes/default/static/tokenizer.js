/* The search tokenizer: the same rules as src/search/tokenizer.rs (not the same code: that one
 * packs tokens into numbers), so query tokens and index tokens always agree. A shared
 * fixture (tests/fixtures/tokenizer.json) is checked against both.
 *
 * Characters are folded full-width → half-width, traditional → simplified (with the pairs
 * the site's index lists, `setFold`), then lower case; Han runs become overlapping bigrams
 * (a lone character stays itself), Latin/digit runs stay whole, anything else ends a run. */
(function (global) {
  "use strict";

  const ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;
  let simplified = new Map();

  /* `pairs`: a string of two characters per pair, traditional then simplified. */
  function setFold(pairs) {
    const chars = Array.from(pairs || "");
    simplified = new Map();
    for (let i = 0; i + 1 < chars.length; i += 2) { simplified.set(chars[i], chars[i + 1]); }
  }

  function normaliseChar(c) {
    const code = c.codePointAt(0);
    if (code === 0x3000) { c = " "; }
    else if (code >= 0xff01 && code <= 0xff5e) { c = String.fromCodePoint(code - 0xfee0); }
    return (simplified.get(c) || c).toLowerCase();
  }

  function normalise(text) {
    return Array.from(text, normaliseChar).join("");
  }

  /* Folds a string one UTF-16 unit at a time, so that positions line up with the original. */
  function foldUnits(text) {
    let out = "";
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      const code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) { out += c; continue; }
      const n = normaliseChar(c);
      out += n.length === 1 ? n : c;
    }
    return out;
  }

  function isHan(c) {
    const code = c.codePointAt(0);
    return (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x2ffff) ||
      (code >= 0x30000 && code <= 0x3134f);
  }

  function tokenize(text) {
    const tokens = [];
    let hanRun = [];
    let word = "";
    const flushWord = () => { if (word !== "") { tokens.push(word); word = ""; } };
    const flushHan = () => {
      if (hanRun.length === 1) { tokens.push(hanRun[0]); }
      for (let i = 0; i + 1 < hanRun.length; i++) { tokens.push(hanRun[i] + hanRun[i + 1]); }
      hanRun = [];
    };
    for (const c of normalise(text)) {
      if (isHan(c)) { flushWord(); hanRun.push(c); }
      else if (ALPHANUMERIC.test(c)) { flushHan(); word += c; }
      else { flushWord(); flushHan(); }
    }
    flushWord();
    flushHan();
    return tokens;
  }

  global.PolicykbTokenizer = { setFold, normalise, normaliseChar, foldUnits, isHan, tokenize };
})(window);
