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
  /* Any character `simplified` folds, or null when it folds none. */
  let traditional = null;
  /* Full-width ASCII forms and the ideographic space. */
  const WIDE = /[\u3000\uff01-\uff5e]/g;

  /* `pairs`: a string of two characters per pair, traditional then simplified. */
  function setFold(pairs) {
    const chars = Array.from(pairs || "");
    simplified = new Map();
    for (let i = 0; i + 1 < chars.length; i += 2) { simplified.set(chars[i], chars[i + 1]); }
    const keys = Array.from(simplified.keys(), (c) => c.replace(/[\\\]^-]/g, "\\$&")).join("");
    traditional = keys === "" ? null : new RegExp("[" + keys + "]", "gu");
  }

  function halfWidth(c) {
    return c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0);
  }

  function normaliseChar(c) {
    const code = c.codePointAt(0);
    if (code === 0x3000) { c = " "; }
    else if (code >= 0xff01 && code <= 0xff5e) { c = String.fromCodePoint(code - 0xfee0); }
    return (simplified.get(c) || c).toLowerCase();
  }

  /* Full-width forms and traditional characters folded in the whole string; `fold` picks a
   * traditional character's replacement. */
  function foldAll(text, fold) {
    const out = text.replace(WIDE, halfWidth);
    return traditional === null ? out : out.replace(traditional, fold);
  }

  /* Where folding and lower-casing the whole string may differ from doing it a character
   * (or unit) at a time: a final sigma lower-cases as ς in a string and as σ alone (the
   * index has σ), and a character beyond the Basic Multilingual Plane is two units. Looked
   * for before and after folding, whatever pairs `setFold` was given. */
  const UNIT_BY_UNIT = /[\u03a3\ud800-\udfff]/;
  const wholeIsSafe = (text, folded) => !UNIT_BY_UNIT.test(text) && !UNIT_BY_UNIT.test(folded);

  /* What `normaliseChar` makes of every character, a whole string at a time with the
   * browser's own string functions: a call per character made the text chunks a query
   * verifies (a megabyte or two at 100,000 pages) a fifth of its time. */
  function normalise(text) {
    const folded = foldAll(text, (c) => simplified.get(c));
    return wholeIsSafe(text, folded) ? folded.toLowerCase() : Array.from(text, normaliseChar).join("");
  }

  /* Folds a string one UTF-16 unit at a time, so that positions line up with the original:
   * a unit whose folded form is not one unit stays as it is, and so do surrogates. The whole
   * string at once where that gives the same (see `wholeIsSafe`; and lower case kept the
   * length). */
  function foldUnits(text) {
    const folded = foldAll(text, (c) => { const s = simplified.get(c); return s.length === 1 ? s : c; });
    const lower = folded.toLowerCase();
    return wholeIsSafe(text, folded) && lower.length === folded.length ? lower : foldEachUnit(text);
  }

  function foldEachUnit(text) {
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

  global.PolicykbTokenizer = { setFold, normalise, normaliseChar, foldUnits, foldEachUnit, isHan, tokenize };
})(window);
