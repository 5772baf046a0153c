// milepost search: loads the prebuilt index (a script, so it works from file://) on first use.
(function () {
  "use strict";
  var input = document.getElementById("mp-search-input");
  var list = document.getElementById("mp-search-results");
  if (!input || !list) { return; }
  var root = document.body.getAttribute("data-root") || "";
  var loading = false;
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function load(then) {
    if (window.milepostSearch) { then(); return; }
    if (loading) { return; }
    loading = true;
    var script = document.createElement("script");
    script.src = root + "assets/search-index.js";
    script.onload = then;
    document.head.appendChild(script);
  }
  function show() {
    var terms = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!terms.length || !window.milepostSearch) { list.hidden = true; return; }
    var found = [];
    window.milepostSearch.forEach(function (entry) {
      var title = fold(entry.t), rest = fold([entry.h.join(" "), entry.g.join(" "), entry.x].join(" "));
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        if (title.indexOf(terms[i]) >= 0) { score += 3; }
        else if (rest.indexOf(terms[i]) >= 0) { score += 1; }
        else { return; }
      }
      found.push([score, entry]);
    });
    found.sort(function (a, b) { return b[0] - a[0]; });
    found.slice(0, 20).forEach(function (pair) {
      var entry = pair[1], item = document.createElement("li"), link = document.createElement("a");
      link.href = root + entry.u.split("/").map(encodeURIComponent).join("/");
      link.textContent = entry.t;
      if (entry.g.length) {
        var small = document.createElement("small");
        small.textContent = entry.g.map(function (g) { return "#" + g; }).join(" ");
        link.appendChild(small);
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = "No match";
      list.appendChild(none);
    }
    list.hidden = false;
  }
  input.addEventListener("focus", function () { load(show); });
  input.addEventListener("input", function () { load(show); });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) { list.hidden = true; }
  });
})();
