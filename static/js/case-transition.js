// The case page's "move the case" form: "Where is the client referred to?" is asked only
// when the chosen stage is the referral out. While hidden, its inputs are disabled so that a
// destination picked and then abandoned is not sent. Without this script the question stays
// visible with its "only when…" hint. No inline scripts: the CSP forbids them.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-case-transition]");
  if (!form) return;
  const stage = form.querySelector('select[name="to_stage"]');
  const destination = form.querySelector("[data-referral-destination]");
  if (!stage || !destination) return;

  form.querySelectorAll("[data-without-script]").forEach((hint) => {
    hint.hidden = true;
  });
  const refresh = () => {
    const show = stage.value === destination.dataset.referralDestination;
    destination.hidden = !show;
    destination.querySelectorAll("input, select, textarea").forEach((input) => {
      input.disabled = !show;
    });
  };
  stage.addEventListener("change", refresh);
  refresh();
});
