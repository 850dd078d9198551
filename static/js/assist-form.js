// The ASSIST interview form: apply the WHO skip rules while the caseworker fills it in.
// A substance answered "no" in Q1 gets no further questions; Q2 "never" skips Q3–Q5.
// Skipped questions are hidden and their inputs disabled, so they are not sent; the server
// applies the same rules again (assessments/assist.py). No inline scripts: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-assist-form]");
  if (!form) return;

  const RECENT_USE = ["q3", "q4", "q5"];
  const checked = (name) => {
    const input = form.querySelector(`input[name="${name}"]:checked:not(:disabled)`);
    return input ? input.value : "";
  };
  const show = (element, visible) => {
    element.hidden = !visible;
    element.querySelectorAll("input, select, textarea").forEach((input) => {
      input.disabled = !visible;
    });
  };

  const refresh = () => {
    let used = 0;
    let unanswered = 0;
    form.querySelectorAll("[data-assist-substance]").forEach((card) => {
      const code = card.dataset.assistSubstance;
      const q1 = checked(`${code}_q1`);
      if (q1 === "yes") used += 1;
      if (q1 === "") unanswered += 1;
      show(card, q1 === "yes");
      if (q1 !== "yes") return;
      const q2 = checked(`${code}_q2`);
      card.querySelectorAll("[data-assist-question]").forEach((block) => {
        if (RECENT_USE.includes(block.dataset.assistQuestion)) {
          show(block, q2 !== "" && q2 !== "never");
        }
      });
    });
    const injection = form.querySelector("[data-assist-injection]");
    if (injection) show(injection, used > 0);
    const none = form.querySelector("[data-assist-none]");
    if (none) none.hidden = used > 0 || unanswered > 0;
  };

  form.addEventListener("change", refresh);
  refresh();
});
