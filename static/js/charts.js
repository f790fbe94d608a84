/*
 * Draws every <canvas data-chart="ID"> from the JSON spec that Django's
 * {{ spec|json_script:"ID" }} put in the page (built by swingtrade/charts.py).
 *
 * Spec: {type: "line"|"bar"|"scatter", labels?: [...], x_label?, y_label?,
 *        x_format?: "pct"|"num", y_format?: "pct"|"num"|"money",
 *        y2_label?, y2_format? (a right-hand axis for datasets with axis: "y2"),
 *        datasets: [{label, data, color?, colors?, dashed?, show_line?, point_radius?, kind?, axis?}]}
 * Offline by design: Chart.js is vendored under static/vendor/chartjs/.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4"];

  function formatter(kind) {
    if (kind === "pct") {
      // Enough decimals for two significant digits: model edges are often hundredths of a percent.
      return function (v) {
        var p = v * 100, a = Math.abs(p);
        var decimals = a === 0 || a >= 10 ? 1 : Math.min(4, Math.max(2, 1 - Math.floor(Math.log10(a))));
        return p.toFixed(decimals) + " %";
      };
    }
    if (kind === "money") {
      return function (v) { return Number(v).toLocaleString(undefined, {maximumFractionDigits: 0}); };
    }
    return function (v) { return Number(v).toLocaleString(undefined, {maximumFractionDigits: 4}); };
  }

  function dataset(spec, ds, i) {
    var color = ds.color || PALETTE[i % PALETTE.length];
    var out = {
      label: ds.label,
      data: ds.data,
      borderColor: ds.colors || color,
      backgroundColor: ds.colors || color,
      borderWidth: (ds.kind || spec.type) === "bar" ? 0 : 1.6,
      pointRadius: ds.point_radius !== undefined ? ds.point_radius : (spec.type === "line" ? 0 : 4),
      pointHoverRadius: 5,
      spanGaps: true,
      tension: 0,
    };
    if (ds.kind) { out.type = ds.kind; }
    // Legend swatches: a stroke for lines, a block for bars, a dot for scatter points.
    var kind = ds.kind || spec.type;
    var plainLine = kind === "line" && !ds.point_radius;
    out.pointStyle = plainLine ? "line" : (kind === "bar" ? "rect" : "circle");
    if (ds.dashed) { out.borderDash = [6, 4]; }
    if (ds.show_line) { out.showLine = true; }
    if (ds.order !== undefined) { out.order = ds.order; }
    if (ds.axis) { out.yAxisID = ds.axis; }
    return out;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return null; }
    var spec = JSON.parse(source.textContent);
    var fx = formatter(spec.x_format), fy = formatter(spec.y_format);
    var scales = {
      x: {title: {display: !!spec.x_label, text: spec.x_label || ""}},
      y: {title: {display: !!spec.y_label, text: spec.y_label || ""}, ticks: {callback: fy}},
    };
    if (spec.y2_format || spec.y2_label) {
      scales.y2 = {position: "right", grid: {drawOnChartArea: false},
        title: {display: !!spec.y2_label, text: spec.y2_label || ""}, ticks: {callback: formatter(spec.y2_format)}};
    }
    if (spec.type === "scatter") {
      scales.x.type = "linear";
      scales.x.ticks = {callback: fx};
    } else {
      scales.x.ticks = {autoSkip: true, maxTicksLimit: 12, maxRotation: 0};
    }
    return new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels || [], datasets: spec.datasets.map(function (ds, i) { return dataset(spec, ds, i); })},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: {mode: spec.type === "scatter" ? "nearest" : "index", intersect: false},
        plugins: {
          legend: {display: spec.datasets.length > 1, labels: {usePointStyle: true}},
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var raw = ctx.raw;
                var name = ctx.dataset.label ? ctx.dataset.label + ": " : "";
                if (raw && typeof raw === "object" && "x" in raw) {
                  return name + (raw.label ? raw.label + " " : "") + "(" + fx(raw.x) + ", " + fy(raw.y) + ")";
                }
                return name + fy(raw);
              },
            },
          },
        },
        scales: scales,
      },
    });
  }

  function drawAll(root) {
    var charts = [];
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = draw(canvas);
      if (chart) { charts.push(chart); }
    });
    return charts;
  }

  window.SwingCharts = {draw: draw, drawAll: drawAll};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
})();
