/*
 * Village picker: progressively enhances
 *   <select name="village" data-village-picker data-search-url="/wilayah/desa/opsi/">
 * with a search box above it. Typing (debounced 250 ms) fetches an HTML fragment of
 * <option> elements for ?q=… and puts them in the select. The current choice is never lost:
 * it stays selected if it is among the results, and is kept at the top otherwise. With no
 * choice yet, a search that finds exactly one village chooses it.
 * Without JavaScript the select works as rendered. No inline script (CSP).
 * Optional: data-placeholder overrides the search box placeholder; data-found-text
 * ("%(n)s villages found: …") is said under the list when a search finds several and none is
 * chosen yet, since the list does not open by itself.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var DEFAULT_PLACEHOLDER = "Cari nama desa/kelurahan\u2026";

  function parseOptions(html) {
    // DOMParser never runs scripts; wrapping in <select> keeps the <option> elements.
    var doc = new DOMParser().parseFromString("<select>" + html + "</select>", "text/html");
    return Array.prototype.slice.call(doc.querySelectorAll("option"));
  }

  function replaceOptions(select, html) {
    var current = select.value;
    var selected = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
    var incoming = parseOptions(html);
    var fragment = document.createDocumentFragment();
    var currentFound = false;

    incoming.forEach(function (option) {
      if (current && option.value === current) {
        currentFound = true;
      }
    });
    if (selected && !currentFound && !selected.hasAttribute("data-hint")) {
      // Keep the current choice (or the blank "choose" entry) so the form value is unchanged;
      // hints from an earlier search ("type more…") are dropped.
      fragment.appendChild(selected.cloneNode(true));
    }
    incoming.forEach(function (option) {
      var copy = document.importNode(option, true);
      if (current && copy.value === current) {
        copy.selected = true;
      }
      fragment.appendChild(copy);
    });

    select.replaceChildren(fragment);
    if (current) {
      select.value = current;
    } else {
      // Nothing chosen yet and the search found exactly one village: choose it, as the
      // user would next. With several, the user picks; a hint ("type more…") is no choice.
      var found = incoming.filter(function (option) {
        return option.value && !option.hasAttribute("data-hint");
      });
      if (found.length === 1) {
        select.value = found[0].value;
      }
    }
    sayFound(select, current ? 0 : countFound(incoming));
    select.dispatchEvent(new CustomEvent("village-picker:updated", { bubbles: true }));
  }

  function countFound(options) {
    return options.filter(function (option) {
      return option.value && !option.hasAttribute("data-hint");
    }).length;
  }

  function sayFound(select, n) {
    var status = select.parentNode.querySelector(".village-picker-found");
    if (!status || !select.dataset.foundText) {
      return;
    }
    status.textContent = n > 1 ? select.dataset.foundText.replace("%(n)s", String(n)) : "";
  }

  function enhance(select) {
    if (select.dataset.villagePickerReady || !select.dataset.searchUrl) {
      return;
    }
    select.dataset.villagePickerReady = "1";

    var input = document.createElement("input");
    input.type = "search";
    input.className = "village-picker-search form-control mb-1";
    input.autocomplete = "off";
    input.placeholder = select.dataset.placeholder || DEFAULT_PLACEHOLDER;
    input.setAttribute("aria-label", input.placeholder);
    if (select.id) {
      input.id = select.id + "-search";
      input.setAttribute("aria-controls", select.id);
    }
    select.parentNode.insertBefore(input, select);
    var status = document.createElement("div");
    status.className = "village-picker-found form-text text-body";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(status, select.nextSibling);
    select.addEventListener("change", function () {
      sayFound(select, 0); // chosen: nothing left to say
    });

    var timer = null;
    var controller = null;
    var lastQuery = null;

    function search() {
      var q = input.value.trim();
      if (q === lastQuery) {
        return;
      }
      lastQuery = q;
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = new URL(select.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", q);
      select.setAttribute("aria-busy", "true");
      fetch(url.toString(), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "HX-Request": "true" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("village search failed: " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          replaceOptions(select, html);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            lastQuery = null; // let the next keystroke retry
            if (window.console) {
              window.console.warn(error);
            }
          }
        })
        .finally(function () {
          select.removeAttribute("aria-busy");
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      // Enter searches now instead of submitting the surrounding form.
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        search();
      }
    });
  }

  function enhanceWithin(root) {
    if (root.matches && root.matches("select[data-village-picker]")) {
      enhance(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("select[data-village-picker]").forEach(enhance);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceWithin(document);
    });
  } else {
    enhanceWithin(document);
  }
  // Content swapped in by htmx gets the picker too.
  document.addEventListener("htmx:load", function (event) {
    enhanceWithin(event.target);
  });
})();
