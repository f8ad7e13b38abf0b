/* Light or dark: the system's choice (prefers-color-scheme) unless the reader picked one with
 * the 深浅 button, which is remembered. Loaded in <head> so the page never flashes. */
(function () {
  "use strict";
  const KEY = "policykb-theme";
  const root = document.documentElement;
  let chosen = null;
  try { chosen = localStorage.getItem(KEY); } catch (e) { /* storage may be off */ }
  if (chosen === "dark" || chosen === "light") { root.setAttribute("data-theme", chosen); }

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.querySelector("[data-theme-toggle]");
    if (!button) { return; }
    button.hidden = false;
    const current = () => root.getAttribute("data-theme") ||
      (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    const label = () => {
      const dark = current() === "dark";
      button.textContent = dark ? "浅色" : "深色";
      button.setAttribute("aria-pressed", String(dark));
    };
    label();
    button.addEventListener("click", () => {
      const next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* not kept, still switched */ }
      label();
    });
  });
})();
