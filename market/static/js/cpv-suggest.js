/* CPV suggestions from a form's own text: a button under the CPV field asks GET /api/v1/cpv/suggest for the codes
 * that fit the title and description, and each suggestion is a button that adds its code to the field.
 *
 * Markup (see templates/_cpv.html): data-cpv-suggest="<endpoint URL>" and data-cpv-sources="<field ids>" on the
 * element that holds the CPV input; data-cpv-multiple and data-cpv-separator as for cpv-search.js.
 * Without JavaScript nothing is added and the field stays a plain text field.
 */
(function () {
  "use strict";

  var LIMIT = 8;

  function codesIn(value) {
    return value.split(/[\s,;]+/).filter(function (c) { return c; });
  }

  function setup(box) {
    var input = box.querySelector("input");
    if (!input) return;
    var url = box.getAttribute("data-cpv-suggest");
    var sources = (box.getAttribute("data-cpv-sources") || "").split(/\s+/).filter(Boolean);
    var multiple = box.hasAttribute("data-cpv-multiple");
    var separator = box.getAttribute("data-cpv-separator") || " ";
    var button = document.createElement("button");
    var list = document.createElement("ul");
    var status = document.createElement("p");

    button.type = "button";
    button.className = "button small secondary cpv-suggest-button";
    button.textContent = box.getAttribute("data-msg-button");
    list.className = "cpv-suggestions plain";
    status.className = "hint";
    status.setAttribute("aria-live", "polite");
    box.appendChild(button);
    box.appendChild(status);
    box.appendChild(list);

    function add(code) {
      var codes = multiple ? codesIn(input.value) : [];
      if (codes.indexOf(code) < 0) codes.push(code);
      input.value = codes.join(separator.trim() ? separator.trim() + " " : " ");
      input.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = (box.getAttribute("data-msg-added") || "").replace("{code}", code);
    }

    function show(items) {
      list.innerHTML = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link-button";
        pick.setAttribute("data-code", item.code);
        pick.textContent = item.code + " – " + item.label;
        // The CPV path says why a code fits: its group and class labels.
        pick.title = (item.path || []).map(function (p) { return p.code + " " + p.label; }).join(" › ");
        pick.addEventListener("click", function () { add(item.code); });
        li.appendChild(pick);
        list.appendChild(li);
      });
      status.textContent = (box.getAttribute("data-msg-found") || "").replace("{n}", String(items.length));
    }

    button.addEventListener("click", function () {
      var text = sources.map(function (id) {
        var el = document.getElementById(id);
        return el ? el.value : "";
      }).join("\n").trim();
      if (!text) {
        status.textContent = box.getAttribute("data-msg-empty");
        return;
      }
      status.textContent = box.getAttribute("data-msg-wait");
      var query = "?text=" + encodeURIComponent(text.slice(0, 2000)) + "&k=" + LIMIT +
        "&lang=" + encodeURIComponent(document.documentElement.lang || "vi");
      fetch(url + query, { headers: { Accept: "application/json" } })
        .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
        .then(function (body) { show(body.items || []); })
        .catch(function () { status.textContent = ""; });
    });
  }

  document.querySelectorAll("[data-cpv-suggest]").forEach(setup);
})();
