// The proposal forms (new proposal, change a draft): the value of each line, the total of the
// chosen programme's lines, and per ATENSI component what the programme has available, what
// the proposal asks and what would be left, kept up to date while quantities are typed, with
// the warning when more is asked than is available (a warning: approval does the real check).
// The server computes the same figures into the page, so without this script they are right
// whenever the form comes back (and its "Recalculate" button shows them); the script hides that
// button. Reads the data-* attributes of aid/_proposal_items.html. No inline scripts: the CSP.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-proposal-items]");
  if (!form) return;
  const figures = new Intl.NumberFormat(document.documentElement.lang || "id", {
    maximumFractionDigits: 0,
  });
  const rupiah = (amount) => `Rp ${figures.format(amount)}`;
  const programme = form.querySelector('select[name="programme"]');
  const inputs = Array.from(form.querySelectorAll("input[data-unit-cost]"));
  const total = form.querySelector("[data-total]");

  // What the server does with a quantity it cannot read: count it as nothing.
  const quantity = (input) => {
    const value = Number(input.value);
    return Number.isInteger(value) && value > 0 ? value : 0;
  };

  form.querySelectorAll("[data-without-script]").forEach((element) => {
    element.hidden = true;
  });

  const refresh = () => {
    const chosen = programme ? programme.value : "";
    const asked = {}; // programme id → component → amount
    let sum = 0;
    inputs.forEach((input) => {
      const value = quantity(input) * Number(input.dataset.unitCost);
      const cell = form.querySelector(`[data-line-value="${input.name}"]`);
      if (cell) cell.textContent = rupiah(value);
      const components = (asked[input.dataset.programme] ??= {});
      const component = input.dataset.component;
      components[component] = (components[component] || 0) + value;
      if (!chosen || input.dataset.programme === chosen) sum += value;
    });
    if (total) total.textContent = rupiah(sum);

    form.querySelectorAll("[data-budget]").forEach((panel) => {
      const id = panel.dataset.budget;
      panel.hidden = Boolean(chosen) && id !== chosen;
      let over = false;
      panel.querySelectorAll("tr[data-component]").forEach((row) => {
        const ask = (asked[id] || {})[row.dataset.component] || 0;
        const left = Number(row.dataset.available) - ask;
        row.querySelector("[data-asked]").textContent = rupiah(ask);
        // An overdraft in words ("kurang Rp 4.000.000"), never a minus sign to spot.
        const after = row.querySelector("[data-after]");
        after.textContent =
          left < 0 ? after.dataset.short.replace("{amount}", figures.format(-left)) : rupiah(left);
        const rowOver = left < 0;
        row.classList.toggle("table-warning", rowOver);
        row.querySelector("[data-over]").hidden = !rowOver;
        over = over || rowOver;
      });
      const warning = panel.querySelector("[data-budget-warning]");
      if (warning) warning.hidden = !over;
    });
  };

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
});
