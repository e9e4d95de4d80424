/*
 * Math for Verified Derivations. MathJax 3 is served from this site
 * (assets/verify/mathjax/tex-svg.js, loaded right after this file), so this
 * configuration must be in place before it runs. Nothing is fetched from a
 * CDN: the menu (whose accessibility explorer would load the speech rule
 * engine from one) is off, and only elements that pymdownx.arithmatex marked
 * are typeset.
 *
 * After typesetting, each checked formula (a .verify-chain) gets its row
 * markers placed beside the rows MathJax drew, and a formula wider than its
 * column gets a visible scroll cue.
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
  startup: {
    pageReady: function () {
      return window.MathJax.startup.defaultPageReady().then(function () {
        verifyLayout(document);
      });
    },
  },
};

/* ------------------------------------------------------------ row markers */

var VERIFY_DISPLAY = "div.arithmatex, pre.arithmatex";

/* The screen boxes of a chain's rows, in order, or null if MathJax drew
   another number of rows than the page has (then markers simply stack). */
function verifyRowBoxes(chain) {
  var n = Number(chain.getAttribute("data-verify-rows")) || 1;
  var svg = chain.querySelector(".verify-math mjx-container > svg");
  if (!svg) return null;
  if (n <= 1) return [svg.getBoundingClientRect()];
  var tables = svg.querySelectorAll('g[data-mml-node="mtable"]');
  for (var t = 0; t < tables.length; t++) {
    var rows = [];
    var children = tables[t].children;
    for (var c = 0; c < children.length; c++) {
      var kind = children[c].getAttribute("data-mml-node");
      if (kind === "mtr" || kind === "mlabeledtr") rows.push(children[c]);
    }
    if (rows.length >= n) {
      return rows.slice(0, n).map(function (row) {
        return row.getBoundingClientRect();
      });
    }
  }
  return null;
}

/* Each gutter cell level with its row: the marker at the row's middle. A
   reason too long for the room before the next row is cut short (it is
   shown whole in the step's details); cells never overlap. */
function verifyPlace(chain) {
  var gutter = chain.querySelector(".verify-gutter");
  var math = chain.querySelector(".verify-math");
  if (!gutter || !math) return;
  var boxes = verifyRowBoxes(chain);
  chain.classList.add("verify-placed");
  var origin = gutter.getBoundingClientRect().top;
  var cells = gutter.querySelectorAll(".verify-cell");
  var placed = [];
  var floor = 0;
  for (var i = 0; i < cells.length; i++) {
    var cell = cells[i];
    var why = cell.querySelector(".verify-why");
    if (why) why.style.webkitLineClamp = "";
    cell.classList.remove("verify-clamped");
    var first = cell.querySelector(".verify-mark") || cell.querySelector(".verify-why") || cell;
    var line = first.offsetHeight || 16;
    var top = floor;
    if (boxes) {
      var box = boxes[Math.min(Number(cell.getAttribute("data-verify-row")), boxes.length - 1)];
      top = Math.max(floor, (box.top + box.bottom) / 2 - origin - line / 2);
    }
    cell.style.top = top + "px";
    placed.push({ cell: cell, why: why, top: top, line: line });
    floor = top + line + 2;
  }
  var bottom = 0;
  for (var j = 0; j < placed.length; j++) {
    var here = placed[j];
    var room = j + 1 < placed.length ? placed[j + 1].top - here.top - 2 : Infinity;
    if (here.why && here.cell.offsetHeight > room) {
      var step = parseFloat(getComputedStyle(here.why).lineHeight) || here.line;
      here.why.style.webkitLineClamp = String(Math.max(1, Math.floor(room / step)));
      here.cell.classList.add("verify-clamped");
    }
    bottom = Math.max(bottom, here.top + Math.min(here.cell.offsetHeight, room));
  }
  gutter.style.minHeight = bottom + "px";
  verifyHighlight(chain, boxes);
  verifyCue(math, chain);
}

/* A tint behind each row whose details are open (or whose marker is pointed at). */
function verifyHighlight(chain, boxes) {
  var math = chain.querySelector(".verify-math");
  var old = math.querySelectorAll(".verify-highlight");
  for (var i = 0; i < old.length; i++) old[i].remove();
  boxes = boxes || verifyRowBoxes(chain);
  if (!boxes) return;
  var rows = {};
  var open = chain.querySelectorAll(".verify-notes details[open]");
  for (var j = 0; j < open.length; j++) rows[open[j].getAttribute("data-verify-row")] = true;
  var hover = chain.getAttribute("data-verify-hover");
  if (hover !== null) rows[hover] = true;
  var frame = math.getBoundingClientRect();
  Object.keys(rows).forEach(function (k) {
    var box = boxes[Math.min(Number(k), boxes.length - 1)];
    if (!box) return;
    var mark = document.createElement("div");
    mark.className = "verify-highlight";
    mark.style.top = box.top - frame.top + "px";
    mark.style.height = box.bottom - box.top + "px";
    mark.style.width = math.scrollWidth + "px";
    math.appendChild(mark);
  });
}

/* A formula wider than its column says so, and fades at the edge it hides. */
function verifyCue(scroller, owner) {
  var wide = scroller.scrollWidth > scroller.clientWidth + 1;
  owner.classList.toggle("verify-overflows", wide);
  var end = scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1;
  owner.classList.toggle("verify-at-end", wide && end);
  if (wide && owner === scroller) {
    var next = scroller.nextElementSibling;
    if (!next || !next.classList.contains("verify-cue")) {
      var cue = document.createElement("p");
      cue.className = "verify-cue";
      cue.setAttribute("aria-hidden", "true");
      cue.textContent = "wider than the page: scroll sideways ⟷";
      scroller.insertAdjacentElement("afterend", cue);
    }
  }
}

var verifyObserver =
  typeof ResizeObserver === "undefined"
    ? null
    : new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var chain = entry.target.closest(".verify-chain");
          if (chain) verifyPlace(chain);
          else verifyCue(entry.target, entry.target);
        });
      });

/* An inline formula wider than its line scrolls on its own instead of
   widening the page (MathJax 3 does not break lines). */
function verifyInline(root) {
  var spans = root.querySelectorAll("span.arithmatex");
  for (var i = 0; i < spans.length; i++) {
    var svg = spans[i].querySelector("mjx-container > svg");
    var line = spans[i].parentElement;
    if (!svg || !line) continue;
    var wide = svg.getBoundingClientRect().width > line.clientWidth + 1;
    spans[i].classList.toggle("verify-wide-inline", wide);
  }
}

var verifyResizing = 0;
window.addEventListener("resize", function () {
  cancelAnimationFrame(verifyResizing);
  verifyResizing = requestAnimationFrame(function () {
    verifyInline(document);
  });
});

function verifyLayout(root) {
  verifyInline(root);
  var chains = root.querySelectorAll(".verify-chain");
  for (var i = 0; i < chains.length; i++) {
    verifyPlace(chains[i]);
    if (verifyObserver) verifyObserver.observe(chains[i]);
  }
  var formulas = root.querySelectorAll(VERIFY_DISPLAY);
  for (var j = 0; j < formulas.length; j++) {
    var el = formulas[j];
    if (el.closest(".verify-chain, .verify-detail")) continue;
    verifyCue(el, el);
    if (verifyObserver) verifyObserver.observe(el);
  }
}

/* A marker (or its row's reason) opens the step's details, under the
   formula, and lights its row. */
document.addEventListener("click", function (event) {
  if (!event.target.closest) return;
  var mark = event.target.closest(".verify-mark");
  if (!mark) {
    var cell = event.target.closest(".verify-cell");
    mark = cell && cell.querySelector(".verify-mark");
  }
  if (!mark) return;
  var panel = document.getElementById(mark.getAttribute("aria-controls"));
  if (!panel) return;
  panel.open = !panel.open;
  if (panel.open) panel.scrollIntoView({ block: "nearest" });
});

document.addEventListener(
  "toggle",
  function (event) {
    var panel = event.target;
    if (!panel.classList || !panel.classList.contains("verify-step")) return;
    var marks = document.querySelectorAll('[aria-controls="' + panel.id + '"]');
    for (var i = 0; i < marks.length; i++) {
      marks[i].setAttribute("aria-expanded", panel.open ? "true" : "false");
    }
    var chain = panel.closest(".verify-chain");
    if (chain) verifyHighlight(chain, null);
  },
  true,
);

["mouseover", "mouseout", "focusin", "focusout"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var cell = event.target.closest && event.target.closest(".verify-cell");
    if (!cell) return;
    var chain = cell.closest(".verify-chain");
    if (type === "mouseover" || type === "focusin") {
      chain.setAttribute("data-verify-hover", cell.getAttribute("data-verify-row"));
    } else {
      chain.removeAttribute("data-verify-hover");
    }
    verifyHighlight(chain, null);
  });
});

document.addEventListener(
  "scroll",
  function (event) {
    var scroller = event.target;
    if (!scroller.classList) return;
    var owner = scroller.closest(".verify-chain") || scroller;
    if (owner.classList.contains("verify-overflows")) verifyCue(scroller, owner);
  },
  true,
);

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
      return mj.typesetPromise().then(function () {
        verifyLayout(document);
      });
    });
  });
})();
