/* The builder: include, exclude or take back a decision on a concept (button, or the
 * keys + - 0 on a focused tree item), undo (button or Ctrl+Z).  The server answers with
 * the statuses that changed; every copy of a concept in the tree is updated in place, so
 * open branches stay open, and a status message is announced to screen readers. */
(function () {
  "use strict";
  var root = document.getElementById("builder");
  if (!root || root.dataset.editable !== "1") return;
  var LABELS = {included: "✓", excluded: "✗", conflicted: "!", unresolved: "·"};

  function token() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }
  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": token(), "Accept": "application/json"}})
      .then(function (r) { return r.json(); });
  }
  function apply(answer, message) {
    if (answer.error) { announce(answer.error); return; }
    // one pass over the concepts on the page (not one look-up per changed code: a
    // decision at the top of a large search changes tens of thousands)
    document.querySelectorAll("#builder [data-code]").forEach(function (node) {
      var code = node.dataset.code, status = answer.changed[code], rule = answer.rules[code];
      var row = node.querySelector(":scope > .row");
      if (!row) return;
      if (status) {
        node.classList.remove("included", "excluded", "conflicted", "unresolved");
        node.classList.add(status);
        var mark = row.querySelector(".mark");
        if (mark) mark.textContent = LABELS[status];
      }
      node.classList.toggle("decided", rule !== undefined);
      var label = row.querySelector(".status");
      if (label) {
        var now = status || label.textContent.replace(" (decided here)", "");
        label.textContent = now + (rule !== undefined ? " (decided here)" : "");
      }
      var inc = row.querySelector('[data-decide="include"]');
      var exc = row.querySelector('[data-decide="exclude"]');
      if (inc) inc.setAttribute("aria-pressed", rule === true ? "true" : "false");
      if (exc) exc.setAttribute("aria-pressed", rule === false ? "true" : "false");
    });
    Object.keys(answer.counts).forEach(function (name) {
      var a = document.querySelector('[data-count="' + name + '"]');
      if (a) a.textContent = answer.counts[name] + " " + name;
    });
    var undo = document.getElementById("undo");
    if (undo) undo.disabled = !answer.can_undo;
    var c = answer.counts;
    announce(message + " Now " + c.included + " included, " + c.excluded + " excluded, " +
             c.unresolved + " unresolved, " + c.conflicted + " conflicted.");
  }
  function announce(text) { document.getElementById("announce").textContent = text; }
  function term(node) {
    var t = node.querySelector(".row .term") || node.querySelector(".row");
    return node.dataset.code + " " + (t ? t.textContent.trim() : "");
  }
  function decide(node, decision) {
    var pressed = node.querySelector(':scope > .row [data-decide="' + decision + '"]');
    if (pressed && pressed.getAttribute("aria-pressed") === "true") decision = "clear";
    var what = {include: "Included", exclude: "Excluded", clear: "Took back the decision on"}[decision];
    return post(root.dataset.decideUrl, {code: node.dataset.code, decision: decision})
      .then(function (answer) {
        apply(answer, what + " " + term(node) + (decision === "clear" ? "." : " with its descendants."));
      });
  }
  function undo() {
    return post(root.dataset.undoUrl).then(function (answer) { apply(answer, "Undone."); });
  }

  root.addEventListener("click", function (e) {
    var button = e.target.closest("[data-decide]");
    if (!button) return;
    e.preventDefault();
    decide(button.closest("[data-code]"), button.dataset.decide);
  });
  root.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); undo(); return; }
    var node = e.target.closest && e.target.closest('[role="treeitem"]');
    if (!node || e.target !== node || e.ctrlKey || e.metaKey || e.altKey) return;
    var decision = {"+": "include", "=": "include", "-": "exclude", "0": "clear", "Delete": "clear"}[e.key];
    if (!decision) return;
    e.preventDefault();
    if (decision === "clear") {
      post(root.dataset.decideUrl, {code: node.dataset.code, decision: "clear"})
        .then(function (answer) { apply(answer, "Took back the decision on " + term(node) + "."); });
    } else {
      decide(node, decision);
    }
  });
  var undoButton = document.getElementById("undo");
  if (undoButton) undoButton.addEventListener("click", function (e) { e.preventDefault(); undo(); });
  window.codelistBuilder = {decide: decide, undo: undo};
})();
