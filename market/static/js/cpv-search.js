/* CPV search-as-you-type: an ARIA combobox over GET /api/v1/cpv/search.
 *
 * Markup: an element with data-cpv-search="<endpoint URL>" that contains one text input. Add
 * data-cpv-multiple to keep several codes (the search then uses what is typed after the last code), and
 * data-cpv-separator="," for fields that separate codes with commas.
 * Without JavaScript, or when the endpoint fails, the input stays a plain text field.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var LIMIT = 8;
  var counter = 0;

  function currentTerm(input, multiple) {
    if (!multiple) return input.value.trim();
    // Codes are separated by spaces or commas, but words like "nuoc thai" contain spaces too:
    // the term is everything typed after the last complete 8-digit code.
    var rest = input.value.replace(/^(?:\s*\d{8}(?:-\d)?[\s,]+)*/, "");
    return rest.trim();
  }

  function replaceTerm(input, multiple, code, separator) {
    if (!multiple) {
      input.value = code;
      return;
    }
    var sep = separator.trim() ? separator.trim() + " " : " ";
    var kept = input.value.match(/^(?:\s*\d{8}(?:-\d)?[\s,]+)*/)[0].trim().split(/[\s,]+/).filter(Boolean);
    input.value = kept.concat([code]).join(sep) + sep;
  }

  function setup(box) {
    var input = box.querySelector("input");
    if (!input) return;
    var url = box.getAttribute("data-cpv-search");
    var multiple = box.hasAttribute("data-cpv-multiple");
    var separator = box.getAttribute("data-cpv-separator") || " ";
    var id = "cpv-listbox-" + (++counter);
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var controller = null;
    var active = -1;

    list.id = id;
    list.className = "cpv-listbox";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    if (input.labels && input.labels[0]) list.setAttribute("aria-label", input.labels[0].textContent.trim());
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    // Wrap the input so the absolutely positioned list opens just under it, whatever the layout around.
    var wrap = document.createElement("span");
    wrap.className = "cpv-combo";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var opts = options();
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      for (var i = 0; i < opts.length; i++) opts[i].setAttribute("aria-selected", i === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      replaceTerm(input, multiple, option.getAttribute("data-code"), separator);
      close();
      input.focus();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(items) {
      close();
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        var code = document.createElement("strong");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-code", item.code);
        code.textContent = item.code;
        li.appendChild(code);
        li.appendChild(document.createTextNode(" " + item.label));
        // mousedown, not click: it fires before the input's blur would close the list.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(li);
        });
        list.appendChild(li);
      });
      var message = items.length ? box.getAttribute("data-msg-count") : box.getAttribute("data-msg-none");
      status.textContent = (message || "").replace("{n}", String(items.length));
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function lookup() {
      var term = currentTerm(input, multiple);
      if (term.length < 2) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      var query = "?q=" + encodeURIComponent(term) + "&limit=" + LIMIT +
        "&lang=" + encodeURIComponent(document.documentElement.lang || "vi");
      fetch(url + query, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
        .then(function (body) {
          // A slower answer for an older term must not replace the list for what is typed now,
          // nor open a list under a field the user has already left.
          if (document.activeElement === input && currentTerm(input, multiple) === term) show(body.items || []);
        })
        .catch(function () { /* aborted or offline: the field stays a plain text field */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // choose the code instead of submitting the form
        choose(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      clearTimeout(timer);
      close();
    });
  }

  document.querySelectorAll("[data-cpv-search]").forEach(setup);
})();
