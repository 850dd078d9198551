// Small behaviours shared by all pages. No inline scripts: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm before destructive or irreversible actions: <form data-confirm="...">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Show or hide parts of a form by a radio/select value: <div data-show-when="field=value1,value2">
  const toggles = document.querySelectorAll("[data-show-when]");
  const refresh = () => {
    toggles.forEach((el) => {
      const [name, values] = el.dataset.showWhen.split("=");
      const field = document.querySelector(`[name="${name}"]:checked`) || document.querySelector(`select[name="${name}"]`);
      const show = field && values.split(",").includes(field.value);
      el.hidden = !show;
    });
  };
  if (toggles.length) {
    document.addEventListener("change", refresh);
    refresh();
  }
});
