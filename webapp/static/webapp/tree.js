/* Tabs and trees of codelist pages, written to the WAI-ARIA Authoring Practices:
 * tabs: a tablist (arrow keys, Home/End) over tabpanels; without JavaScript every panel
 * shows, one after another.
 * trees: role=tree/treeitem/group, one tab stop (roving tabindex); Up/Down move through
 * visible items, Right opens or goes to the first child, Left closes or goes to the
 * parent, Home/End, Enter/Space open or close, "*" opens the siblings.  Items may carry
 * buttons (the builder's include/exclude): they stay reachable with Tab from the item. */
(function () {
  "use strict";

  function setupTabs(root) {
    var list = root.querySelector('[role="tablist"]');
    var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
    list.hidden = false;
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) tab.focus();
      if (history.replaceState) history.replaceState(null, "", "#" + tab.id);
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var j = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[e.key];
        if (j === undefined) return;
        e.preventDefault();
        select(tabs[(j + tabs.length) % tabs.length], true);
      });
    });
    var wanted = document.getElementById(location.hash.slice(1)) ||
      document.getElementById("tab-" + new URLSearchParams(location.search).get("tab"));
    select(tabs.indexOf(wanted) >= 0 ? wanted : tabs[0], false);
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest('a[href^="#tab-"]');
      if (a) { var t = document.getElementById(a.getAttribute("href").slice(1)); if (t) { e.preventDefault(); select(t, true); } }
    });
  }

  function items(tree) {  // visible treeitems in document order
    return Array.prototype.filter.call(tree.querySelectorAll('[role="treeitem"]'), function (el) {
      for (var g = el.parentElement; g && g !== tree; g = g.parentElement) {
        if (g.getAttribute("role") === "group" && g.hidden) return false;
      }
      return true;
    });
  }
  function groupOf(item) {
    for (var c = item.firstElementChild; c; c = c.nextElementSibling) {
      if (c.getAttribute("role") === "group") return c;
    }
    return null;
  }
  function setOpen(item, open) {
    var g = groupOf(item);
    if (!g) return;
    item.setAttribute("aria-expanded", open ? "true" : "false");
    g.hidden = !open;
    if (open && g.dataset.src && !g.dataset.loaded) {  // a branch drawn when first opened
      g.dataset.loaded = "1";
      g.setAttribute("aria-busy", "true");
      fetch(g.dataset.src, {credentials: "same-origin"}).then(function (r) { return r.text(); })
        .then(function (html) {
          g.innerHTML = html;
          g.removeAttribute("aria-busy");
          document.dispatchEvent(new CustomEvent("tree:loaded", {detail: g}));
        });
    }
  }
  function focusItem(tree, item) {
    tree.querySelectorAll('[role="treeitem"][tabindex="0"]').forEach(function (el) { el.tabIndex = -1; });
    item.tabIndex = 0;
    item.focus();
  }

  function setupTree(tree) {
    if (tree.dataset.ready) return;
    tree.dataset.ready = "1";
    var first = tree.querySelector('[role="treeitem"]');
    if (first && !tree.querySelector('[role="treeitem"][tabindex="0"]')) first.tabIndex = 0;
    tree.addEventListener("click", function (e) {
      if (e.target.closest("button, a, input")) return;
      var item = e.target.closest('[role="treeitem"]');
      if (!item) return;
      if (item.hasAttribute("aria-expanded")) setOpen(item, item.getAttribute("aria-expanded") !== "true");
      focusItem(tree, item);
    });
    tree.addEventListener("keydown", function (e) {
      var item = e.target.closest('[role="treeitem"]');
      if (!item || e.target !== item || e.altKey || e.ctrlKey || e.metaKey) return;
      var visible = items(tree), i = visible.indexOf(item), open = item.getAttribute("aria-expanded");
      var parent = item.parentElement.closest('[role="treeitem"]');
      var next = null;
      switch (e.key) {
        case "ArrowDown": next = visible[i + 1]; break;
        case "ArrowUp": next = visible[i - 1]; break;
        case "Home": next = visible[0]; break;
        case "End": next = visible[visible.length - 1]; break;
        case "ArrowRight":
          if (open === "false") setOpen(item, true);
          else if (open === "true") next = groupOf(item).querySelector('[role="treeitem"]');
          break;
        case "ArrowLeft":
          if (open === "true") setOpen(item, false); else next = parent;
          break;
        case "Enter": case " ":
          if (open !== null) setOpen(item, open !== "true");
          break;
        case "*":
          Array.prototype.forEach.call(item.parentElement.children, function (s) { setOpen(s, true); });
          break;
        default: return;
      }
      e.preventDefault();
      if (next) focusItem(tree, next);
    });
  }

  function setupAll(scope) {
    (scope || document).querySelectorAll('[role="tree"]').forEach(setupTree);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-tabs]").forEach(setupTabs);
    setupAll(document);
    document.addEventListener("click", function (e) {
      var b = e.target.closest && e.target.closest("[data-tree-expand], [data-tree-collapse]");
      if (!b) return;
      var open = b.hasAttribute("data-tree-expand");
      var panel = document.getElementById(b.getAttribute(open ? "data-tree-expand" : "data-tree-collapse"));
      panel.querySelectorAll('[role="treeitem"][aria-expanded]').forEach(function (it) { setOpen(it, open); });
    });
  });
  document.addEventListener("htmx:afterSwap", function (e) { setupAll(e.target); });
  window.codelistTree = {setup: setupAll};
})();
