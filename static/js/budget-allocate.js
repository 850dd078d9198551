// The allocation form of a programme page (aid/_programme_allocations.html): while amounts
// are typed, what would be left of the ceiling not yet allocated, the warning when the
// components together would get more than the ceiling, and a note on a component set below
// what it already has reserved and spent. The server computes the same figure into the page
// and checks everything again when the form is saved. No inline scripts: the CSP.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-allocations]");
  if (!form) return;
  const figures = new Intl.NumberFormat(document.documentElement.lang || "id", {
    maximumFractionDigits: 0,
  });
  const rupiah = (amount) =>
    amount < 0 ? `−Rp ${figures.format(-amount)}` : `Rp ${figures.format(amount)}`;
  const ceiling = Number(form.dataset.ceiling);
  const inputs = Array.from(form.querySelectorAll("input[data-allocation]"));
  const after = form.querySelector("[data-unallocated-after]");
  const over = form.querySelector("[data-over-ceiling]");

  // What the server does with an amount it cannot read: count it as nothing.
  const amount = (input) => {
    const value = Number(input.value);
    return Number.isInteger(value) && value > 0 ? value : 0;
  };

  const refresh = () => {
    let total = 0;
    inputs.forEach((input) => {
      total += amount(input);
      const row = input.closest("tr");
      const below = row && row.querySelector("[data-below-used]");
      if (below) below.hidden = amount(input) >= Number(row.dataset.used);
    });
    const left = ceiling - total;
    if (after) after.textContent = rupiah(left);
    if (over) over.hidden = left >= 0;
  };

  form.addEventListener("input", refresh);
  refresh();
});
