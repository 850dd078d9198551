// The IKM results page: the mean per element against the target, and the answers given per
// element. The numbers come from the page's JSON block; the table beside shows them too.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("ikm-chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var weak = "#d39e00", ok = "#0b5d5b";
    var lowest = Math.min.apply(null, data.target === null ? data.means : data.means.concat([data.target]));
    var bottom = Math.max(1, Math.floor(lowest * 2 - 0.5) / 2);
    var datasets = [{
      type: "bar", label: data.mean_label, data: data.means,
      backgroundColor: data.codes.map(function (c) { return data.weakest.indexOf(c) >= 0 ? weak : ok; })
    }];
    if (data.target !== null) {
      datasets.push({
        type: "line", label: data.target_label, data: data.codes.map(function () { return data.target; }),
        borderColor: "#b02a37", borderDash: [6, 4], pointRadius: 0, fill: false
      });
    }
    new Chart(document.getElementById("ikm-chart"), {
      data: { labels: data.codes, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false,
        // From a little under the lowest mean (or the target): the differences that matter
        // lie between 3 and 4; the table beside gives the exact numbers.
        scales: { y: { min: bottom, max: 4 } },
        plugins: { tooltip: { callbacks: { title: function (items) { return data.labels[items[0].dataIndex]; } } } }
      }
    });
    var colours = ["#b02a37", "#fd7e14", "#86b7b5", "#0b5d5b"];
    new Chart(document.getElementById("ikm-answers-chart"), {
      type: "bar",
      data: {
        labels: data.codes,
        datasets: data.answers.map(function (label, i) {
          return { label: label, data: data.distribution.map(function (row) { return row[i]; }), backgroundColor: colours[i] };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
        plugins: { tooltip: { callbacks: { title: function (items) { return data.labels[items[0].dataIndex]; } } } }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
