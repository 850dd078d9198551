// The review queue from the keyboard: J / K move to the next / previous row, 1, 2, 3 choose
// that candidate of the current row, 0 or N rejects them all (each presses the row's own
// button, so the same form is sent as by a click). Without this script the buttons work
// as plain forms. No inline scripts: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  const rows = Array.from(document.querySelectorAll("[data-review-row]"));
  if (!rows.length) return;
  document.documentElement.classList.add("keys-on"); // shows the keys' hints (app.css)

  let current = -1;
  let sent = false;
  const select = (index, focus = true) => {
    if (index < 0 || index >= rows.length) return;
    if (current >= 0) rows[current].classList.remove("is-current");
    current = index;
    const row = rows[current];
    row.classList.add("is-current");
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  };
  // Start at the row named in the address (the next one after a decision), else the first.
  const named = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  select(Math.max(0, rows.indexOf(named)), Boolean(named));
  // A click or Tab into a row makes it the current one.
  rows.forEach((row, index) => {
    row.addEventListener("focusin", () => select(index, false));
  });

  const press = (key) => {
    const button = rows[current].querySelector(`button[data-key="${key}"]`);
    if (!button || sent) return false;
    sent = true; // one decision per page: the answer reloads the queue
    button.click();
    return true;
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    let handled = false;
    if (key === "j") {
      select(current + 1);
      handled = true;
    } else if (key === "k") {
      select(current - 1);
      handled = true;
    } else if (key === "1" || key === "2" || key === "3") {
      handled = press(key);
    } else if (key === "0" || key === "n") {
      handled = press("0");
    }
    if (handled) event.preventDefault();
  });
});
