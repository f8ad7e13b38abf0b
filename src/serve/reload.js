/* policykb serve: live reload and the build-error overlay. Added to pages only by `serve`. */
(function () {
  "use strict";
  var script = document.currentScript;
  var pageVersion = Number(script && script.getAttribute("data-version"));
  var overlay = null;

  function showErrors(errors) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "policykb-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);" +
        "color:#fff;font:14px/1.6 ui-monospace,Menlo,Consolas,monospace;padding:2rem;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.style.cssText = "color:#ff8a80;margin:0 0 1rem;font:bold 18px sans-serif;";
    title.textContent = "构建失败：修正以下问题并保存后，页面会自动刷新（仍显示上次成功构建的网站）";
    overlay.appendChild(title);
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:0;";
    list.textContent = errors.join("\n\n");
    overlay.appendChild(list);
  }

  function hideErrors() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  /* Theme stylesheets have their content's hash in their names: the rebuilt page names
   * the new ones, in the same order. */
  function refreshStyles() {
    fetch(window.location.href, { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelectorAll('link[rel="stylesheet"]');
        document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link, i) {
          var href = fresh[i] ? fresh[i].getAttribute("href") : link.getAttribute("href");
          var url = new URL(href, window.location.href);
          url.searchParams.set("policykb", String(Date.now()));
          link.href = url.toString();
        });
      })
      .catch(function () { window.location.reload(); });
  }

  var source = new EventSource("/__policykb/events");
  source.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    // Tests (and curious authors) can tell that the page is listening for builds.
    document.documentElement.setAttribute("data-policykb-connected", "");
    if (status.errors.length > 0) { showErrors(status.errors); return; }
    hideErrors();
    if (status.version !== pageVersion) {
      if (status.css_only) { refreshStyles(); pageVersion = status.version; }
      else { window.location.reload(); }
    }
  });
})();
