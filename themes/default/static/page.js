/* Page behaviour that is not search: print buttons, and the presentation view's keys.
 * Plain script (no modules: they do not load from file://). */
(function () {
  "use strict";

  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  /* Glossary links show a card (title and summary) on hover; on a touch screen, the first
   * tap shows the card and the second follows the link. */
  const touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  if (touch) {
    for (const term of document.querySelectorAll("a.term")) {
      term.addEventListener("click", (event) => {
        if (!term.classList.contains("card-open")) {
          event.preventDefault();
          for (const open of document.querySelectorAll("a.term.card-open")) { open.classList.remove("card-open"); }
          term.classList.add("card-open");
        }
      });
    }
  }

  /* The presentation: one unit per screen; ← → PageUp PageDown Space Home End move, Esc leaves. */
  const deck = document.querySelector(".slide-deck");
  if (!deck) { return; }
  const slides = Array.from(deck.querySelectorAll(".slide"));
  const number = document.getElementById("slide-number");
  let current = Math.max(0, Math.min(slides.length - 1, (Number(location.hash.slice(1)) || 1) - 1));

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => { slide.hidden = i !== current; });
    if (number) { number.textContent = String(current + 1); }
    try { history.replaceState(null, "", "#" + (current + 1)); } catch (e) { /* file:// may refuse */ }
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    const forward = ["ArrowRight", "ArrowDown", "PageDown", " ", "Enter"];
    const back = ["ArrowLeft", "ArrowUp", "PageUp", "Backspace"];
    if (forward.includes(event.key)) { event.preventDefault(); show(current + 1); }
    else if (back.includes(event.key)) { event.preventDefault(); show(current - 1); }
    else if (event.key === "Home") { event.preventDefault(); show(0); }
    else if (event.key === "End") { event.preventDefault(); show(slides.length - 1); }
  });
  /* On key up: the browser's own Escape (stop loading) acts on key down and would cancel a
   * navigation started then. */
  document.addEventListener("keyup", (event) => {
    if (event.key === "Escape") { location.href = document.body.getAttribute("data-leave") || "../index.html"; }
  });
  deck.addEventListener("click", () => show(current + 1));
  show(current);
})();
