// The dashboard's charts: each section's numbers come from its JSON block (json_script),
// already suppressed on the server; a hidden figure arrives as null and is left out.
(function () {
  "use strict";
  var palette = ["#0b5d5b", "#86b7b5", "#fd7e14", "#b02a37", "#6f42c1", "#d39e00", "#20c997",
                 "#0d6efd", "#6c757d", "#198754", "#dc3545", "#adb5bd"];
  // A long label of a horizontal bar is cut at the chart's edge: it is put on two or three
  // lines, and every label is shown (Chart.js would leave out those that do not fit).
  var LINE = 30;
  function wrap(label) {
    if (typeof label !== "string" || label.length <= LINE) return label;
    var lines = [], line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > LINE) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      if (d.type === "line") {
        // A total drawn over stacked bars stays out of their stack.
        return { type: "line", label: d.label, data: d.data, stack: "total", borderColor: "#212529",
                 backgroundColor: "#212529", spanGaps: false };
      }
      return {
        label: d.label, data: d.data,
        backgroundColor: doughnut ? d.data.map(function (_, j) { return palette[j % palette.length]; })
                                  : palette[i % palette.length]
      };
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false };
    if (!doughnut) {
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = { x: { stacked: spec.stacked }, y: { stacked: spec.stacked } };
      var value = options.scales[spec.horizontal ? "x" : "y"];
      value.beginAtZero = true;
      if (!spec.decimals) value.ticks = { precision: 0 };  // counts of people are whole
      if (spec.horizontal) options.scales.y.ticks = { autoSkip: false };
    }
    var labels = spec.horizontal ? spec.labels.map(wrap) : spec.labels;
    new Chart(canvas, { type: spec.type, data: { labels: labels, datasets: datasets }, options: options });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart !== "undefined") {
      document.querySelectorAll("canvas[data-source]").forEach(draw);
    }
    var print = document.getElementById("dashboard-print");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
})();
