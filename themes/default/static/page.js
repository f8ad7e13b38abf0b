/* Page behaviour that is not search: print buttons, and the presentation view's keys.
 * Plain script (no modules: they do not load from file://). */
(function () {
  "use strict";

  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  /* The navigation marks the section the page is in. */
  const root = new URL(document.body.getAttribute("data-root") || "./", location.href);
  const here = decodeURIComponent(location.pathname.slice(root.pathname.length));
  for (const link of document.querySelectorAll(".site-nav a")) {
    const section = link.getAttribute("data-section");
    const target = new URL(link.getAttribute("href"), location.href).pathname;
    if (target === location.pathname) { link.setAttribute("aria-current", "page"); }
    else if (section && here.startsWith(section)) { link.setAttribute("aria-current", "true"); }
  }

  /* On a narrow screen the table of contents starts closed (it comes before the text). */
  const tocBox = document.querySelector("details[data-toc]");
  if (tocBox && window.matchMedia && window.matchMedia("(max-width: 1099px)").matches) { tocBox.open = false; }

  /* The table of contents marks the section being read: the last heading that has reached
   * the top of the screen (checked once a frame while scrolling). */
  const tocLinks = Array.from(document.querySelectorAll(".toc a[href^='#']"));
  const sections = tocLinks
    .map((a) => [a, document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)))])
    .filter(([, heading]) => heading);
  if (sections.length) {
    let pending = false;
    const mark = () => {
      pending = false;
      let current = null;
      for (const [link, heading] of sections) {
        if (heading.getBoundingClientRect().top <= 96) { current = link; } else { break; }
      }
      for (const [link] of sections) {
        if (link === current) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
      }
    };
    window.addEventListener("scroll", () => {
      if (!pending) { pending = true; window.requestAnimationFrame(mark); }
    }, { passive: true });
    mark();
  }

  /* Glossary links show a card (title and summary) on hover or focus; on a touch screen,
   * the first tap shows the card and the second follows the link. A link carries only its
   * card's number (data-term); the text comes from the card files at the first hover, and
   * the stylesheet shows it from data-card. */
  function withCard(term) {
    const index = window.PolicykbIndex;
    if (term.hasAttribute("data-card") || !index) { return; }
    index.loadCard(Number(term.getAttribute("data-term"))).then((card) => {
      // A page of an older build may number its cards otherwise: only a card that leads
      // where the link does is this link's.
      if (card && new URL(index.root + card[0], document.baseURI).href === term.href) {
        term.setAttribute("data-card", card[1]);
      }
    }, () => { /* no card: the link still works */ });
  }
  const termAt = (event) => event.target && event.target.closest ? event.target.closest("a.term[data-term]") : null;
  for (const type of ["mouseover", "focusin"]) {
    document.addEventListener(type, (event) => {
      const term = termAt(event);
      if (term) { withCard(term); }
    });
  }
  const touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  if (touch) {
    document.addEventListener("click", (event) => {
      const term = termAt(event);
      if (!term || term.classList.contains("card-open")) { return; }
      event.preventDefault();
      for (const open of document.querySelectorAll("a.term.card-open")) { open.classList.remove("card-open"); }
      term.classList.add("card-open");
      withCard(term);
    });
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
