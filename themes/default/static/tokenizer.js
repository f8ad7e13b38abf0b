/* The search tokenizer: the same rules as src/search/tokenizer.rs (not the same code: that one
 * packs tokens into numbers), so query tokens and index tokens always agree. A shared
 * fixture (tests/fixtures/tokenizer.json) is checked against both. */
(function (global) {
  "use strict";

  var ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;

  /* Full-width ASCII and the ideographic space become half-width; then lower case, per character. */
  function normaliseChar(c) {
    var code = c.codePointAt(0);
    if (code === 0x3000) { c = " "; }
    else if (code >= 0xff01 && code <= 0xff5e) { c = String.fromCodePoint(code - 0xfee0); }
    return c.toLowerCase();
  }

  function normalise(text) {
    return Array.from(text, normaliseChar).join("");
  }

  function isHan(c) {
    var code = c.codePointAt(0);
    return (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x2ffff) ||
      (code >= 0x30000 && code <= 0x3134f);
  }

  function tokenize(text) {
    var tokens = [];
    var hanRun = [];
    var word = "";
    function flushWord() {
      if (word !== "") { tokens.push(word); word = ""; }
    }
    function flushHan() {
      if (hanRun.length === 1) { tokens.push(hanRun[0]); }
      for (var i = 0; i + 1 < hanRun.length; i++) { tokens.push(hanRun[i] + hanRun[i + 1]); }
      hanRun = [];
    }
    Array.from(normalise(text)).forEach(function (c) {
      if (isHan(c)) { flushWord(); hanRun.push(c); }
      else if (ALPHANUMERIC.test(c)) { flushHan(); word += c; }
      else { flushWord(); flushHan(); }
    });
    flushWord();
    flushHan();
    return tokens;
  }

  global.PolicykbTokenizer = { normalise: normalise, normaliseChar: normaliseChar, isHan: isHan, tokenize: tokenize };
})(window);
