// The rating sheet's keyboard: 1/2/3 rate the selected row (and move to the next one),
// arrows or j/k move, c goes to the comment, Escape leaves it.  Ratings are saved by
// htmx (each button posts its rating; the server answers with the row, re-rendered).
(function () {
  "use strict";
  var current = 1;

  function rows() { return document.querySelectorAll("#sheet tbody tr.sheet-row"); }
  function row(index) { return document.getElementById("row-" + index); }

  function select(index, focus) {
    var all = rows();
    if (!all.length) { return; }
    index = Math.max(1, Math.min(all.length, index));
    var old = row(current);
    if (old) { old.classList.remove("current"); }
    current = index;
    var tr = row(current);
    tr.classList.add("current");
    if (focus !== false) { tr.focus({preventScroll: true}); tr.scrollIntoView({block: "nearest"}); }
  }

  function countRated() {
    var n = document.querySelectorAll("#sheet tbody tr.sheet-row.rated").length;
    var out = document.getElementById("rated-count");
    if (out) { out.textContent = String(n); }
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("sheet")) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && target.tagName === "INPUT") {
      if (event.key === "Escape" || event.key === "Enter") {
        target.dispatchEvent(new Event("change", {bubbles: true}));
        select(current);
        event.preventDefault();
      }
      return;
    }
    var key = event.key;
    if (key === "1" || key === "2" || key === "3") {
      var button = row(current) && row(current).querySelector('.rate-btn[data-value="' + key + '"]');
      if (button && !button.disabled) { button.click(); select(current + 1); }
      event.preventDefault();
    } else if (key === "ArrowDown" || key === "j") {
      select(current + 1); event.preventDefault();
    } else if (key === "ArrowUp" || key === "k") {
      select(current - 1); event.preventDefault();
    } else if (key === "c") {
      var input = row(current) && row(current).querySelector("input[name=comment]");
      if (input) { input.focus(); event.preventDefault(); }
    }
  });

  document.addEventListener("click", function (event) {
    var tr = event.target.closest && event.target.closest("tr.sheet-row");
    if (tr) { select(parseInt(tr.dataset.index, 10), false); }
  });

  // a refused rating (closed round, bad value) comes back as the row with its message
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var tr = event.detail.elt;
    if (tr && tr.classList && tr.classList.contains("sheet-row")) {
      if (parseInt(tr.dataset.index, 10) === current) {
        tr.classList.add("current");
        if (document.activeElement === document.body) { tr.focus({preventScroll: true}); }
      }
      countRated();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("sheet")) { return; }
    var first = document.querySelector("#sheet tbody tr.sheet-row:not(.rated)");
    select(first ? parseInt(first.dataset.index, 10) : 1);
  });
})();
