/* Draws the dashboard charts from the JSON the server put next to each canvas.
   The server decides every figure (and which are hidden); this only draws. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var palette = ["#0b5cad", "#b3261e", "#1a7f37", "#8a5a00", "#6639ba", "#a3195b", "#00696f", "#4d5156"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    spec.data.datasets.forEach(function (dataset, index) {
      var colour = palette[index % palette.length];
      var isLine = (dataset.type || spec.type) === "line";
      dataset.borderColor = dataset.borderColor || colour;
      dataset.backgroundColor = dataset.backgroundColor || (isLine ? colour : colour + "b3");
      dataset.spanGaps = false;
    });
    spec.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, spec.options || {});
    new Chart(canvas, spec);
  });
})();
