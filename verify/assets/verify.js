/*
 * Math for Verified Derivations. MathJax 3 is served from this site
 * (assets/verify/mathjax/tex-svg.js, loaded right after this file), so this
 * configuration must be in place before it runs. Nothing is fetched from a
 * CDN: the menu (whose accessibility explorer would load the speech rule
 * engine from one) is off, and only elements that pymdownx.arithmatex marked
 * are typeset.
 */
window.MathJax = {
  loader: { load: [] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    // Formulas, and the navigation and table-of-contents labels (.md-ellipsis)
    // that repeat headings with math in them.
    processHtmlClass: "arithmatex|md-ellipsis",
    enableMenu: false,
    menuOptions: { settings: { explorer: false } },
  },
  // Each formula keeps its own glyphs, so swapping the page content (instant
  // navigation) never strands a formula without its font cache.
  svg: { fontCache: "local" },
};

/*
 * With material's instant navigation a new page arrives without a reload:
 * typeset it again. The first emission is the initial page, which MathJax's
 * own startup typesets.
 */
(function () {
  if (typeof document$ === "undefined") return;
  var first = true;
  document$.subscribe(function () {
    if (first) {
      first = false;
      return;
    }
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) return;
    mj.startup.promise = mj.startup.promise.then(function () {
      var output = mj.startup.output;
      if (output && typeof output.clearFontCache === "function") output.clearFontCache();
      mj.typesetClear();
      mj.texReset();
      return mj.typesetPromise();
    });
  });
})();
