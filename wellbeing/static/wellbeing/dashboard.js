/* Draws the dashboard charts from the JSON the server put next to each canvas.
   The server decides every figure (and which are hidden), the series and the months on the axis;
   this only draws: Okabe–Ito colours, all teams as a dashed reference line, and 95% intervals as whiskers. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  // Okabe & Ito (2008), safe for the common colour-vision deficiencies; black is kept for the reference line.
  var palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"];
  var reference = "#000000";

  // Whiskers: each dataset's `intervals` ([low, high] or null per point) drawn over its points or bars.
  var whiskers = {
    id: "tyopariWhiskers",
    afterDatasetsDraw: function (chart) {
      var context = chart.ctx;
      chart.data.datasets.forEach(function (dataset, index) {
        var meta = chart.getDatasetMeta(index);
        if (!dataset.intervals || meta.hidden || !chart.isDatasetVisible(index)) {
          return;
        }
        var scale = chart.scales[meta.yAxisID];
        var cap = Math.max(3, Math.min(8, (meta.data[0] && meta.data[0].width ? meta.data[0].width / 4 : 5)));
        context.save();
        context.beginPath();  // keep the whiskers inside the plot, as the points are
        context.rect(chart.chartArea.left, chart.chartArea.top, chart.chartArea.width, chart.chartArea.height);
        context.clip();
        context.strokeStyle = dataset.reference ? reference : "#222222";
        context.lineWidth = 1.5;
        meta.data.forEach(function (element, point) {
          var interval = dataset.intervals[point];
          if (!interval || element.skip) {
            return;
          }
          var x = element.x;
          var top = scale.getPixelForValue(interval[1]);
          var bottom = scale.getPixelForValue(interval[0]);
          context.beginPath();
          context.moveTo(x, top);
          context.lineTo(x, bottom);
          context.moveTo(x - cap, top);
          context.lineTo(x + cap, top);
          context.moveTo(x - cap, bottom);
          context.lineTo(x + cap, bottom);
          context.stroke();
        });
        context.restore();
      });
    }
  };

  // Long category labels (a team or a measure) wrap onto lines of about 16 characters.
  function wrap(label) {
    if (typeof label !== "string" || label.length <= 16) {
      return label;
    }
    var lines = [];
    var line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > 16) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  var narrow = window.matchMedia("(max-width: 575.98px)").matches;

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var colour = 0;
    spec.data.datasets.forEach(function (dataset) {
      var isLine = (dataset.type || spec.type) === "line";
      var chosen = dataset.reference ? reference : palette[colour++ % palette.length];
      dataset.borderColor = chosen;
      dataset.backgroundColor = isLine ? chosen : chosen + (dataset.reference ? "33" : "b3");
      dataset.borderWidth = dataset.reference ? 1.5 : 2;
      dataset.spanGaps = false;
      if (dataset.reference) {
        dataset.borderDash = [6, 4];
      }
      if (isLine) {
        dataset.pointRadius = dataset.reference ? 2 : 3;
      }
    });
    var options = spec.options || {};
    options.responsive = true;
    options.maintainAspectRatio = false;
    options.animation = false;
    options.plugins = Object.assign({
      legend: { position: "bottom", labels: { boxWidth: narrow ? 18 : 30, padding: narrow ? 6 : 10 } }
    }, options.plugins || {});
    options.scales = options.scales || {};
    options.scales.x = Object.assign({ ticks: { autoSkip: true, maxRotation: 0, callback: function (value) {
      return wrap(this.getLabelForValue(value));
    } } }, options.scales.x || {});
    new Chart(canvas, { type: spec.type, data: spec.data, options: options, plugins: [whiskers] });
  });
})();
