// The decree form (aid/decree_form.html): how many proposals are ticked and their total value,
// kept up to date as boxes are ticked. The server computes the same figures into the page
// whenever the form is shown. Reads each checkbox's data-value. No inline scripts: the CSP.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-decree-form]");
  if (!form) return;
  const figures = new Intl.NumberFormat(document.documentElement.lang || "id", {
    maximumFractionDigits: 0,
  });
  const boxes = Array.from(form.querySelectorAll("input[type=checkbox][data-value]"));
  const count = form.querySelector("[data-decree-count]");
  const total = form.querySelector("[data-decree-total]");

  const refresh = () => {
    const ticked = boxes.filter((box) => box.checked);
    const sum = ticked.reduce((value, box) => value + Number(box.dataset.value), 0);
    if (count) count.textContent = figures.format(ticked.length);
    if (total) total.textContent = `Rp ${figures.format(sum)}`;
  };

  form.addEventListener("change", refresh);
  refresh();
});
