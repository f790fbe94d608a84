/*
 * Draws every <canvas data-chart="ID"> from the JSON spec that Django's
 * {{ spec|json_script:"ID" }} put in the page (built by swingtrade/charts.py).
 *
 * Spec: {type: "line"|"bar"|"scatter", labels?: [...], x_label?, y_label?,
 *        x_format?: "pct"|"num", y_format?: "pct"|"num"|"money",
 *        y2_label?, y2_format? (a right-hand axis for datasets with axis: "y2"),
 *        datasets: [{label, data, color?, colors?, dashed?, show_line?, point_radius?, kind?, axis?}]}
 * Candlestick spec (swingtrade.charts.price_chart): {type: "candlestick", currency, y_label,
 *        candles: [{x, o, h, l, c}], volume: [{x, y}], signals: [{x, y, side}], levels: [{label, value}]}
 *        drawn with the vendored chartjs-chart-financial plugin on a Luxon time axis.
 * Numbers follow the page's language (<html lang>). Offline by design: every library is vendored
 * under static/vendor/.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#0a7ea4"];
  var LANG = document.documentElement.lang || "fr";
  var PCT_SPACE = LANG.indexOf("fr") === 0 ? "\u202f%" : "%";

  function formatter(kind) {
    if (kind === "pct") {
      // Enough decimals for two significant digits: model edges are often hundredths of a percent.
      return function (v) {
        var p = v * 100, a = Math.abs(p);
        var decimals = a === 0 || a >= 10 ? 1 : Math.min(4, Math.max(2, 1 - Math.floor(Math.log10(a))));
        return p.toLocaleString(LANG, {minimumFractionDigits: decimals, maximumFractionDigits: decimals}) + PCT_SPACE;
      };
    }
    if (kind === "money") {
      return function (v) { return Number(v).toLocaleString(LANG, {maximumFractionDigits: 0}); };
    }
    return function (v) { return Number(v).toLocaleString(LANG, {maximumFractionDigits: 4}); };
  }

  // Room per x label: a French date ("21/04/2021") is about 70 px in the site's font, plus a gap. Chart.js's
  // autoSkip alone let a year of dates touch on a 390 px phone; the tick count follows the chart's width.
  var X_LABEL_ROOM = 96;

  function tickLimit(width, most) {
    return Math.max(2, Math.min(most, Math.floor((width || 600) / X_LABEL_ROOM)));
  }

  function followWidth(most) {
    return function (chart, size) {
      chart.options.scales.x.ticks.maxTicksLimit = tickLimit(size.width, most);
    };
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

  function money(currency) {
    return function (v) {
      return Number(v).toLocaleString(LANG, {style: "currency", currency: currency, maximumFractionDigits: 2});
    };
  }

  function candlestick(canvas, spec) {
    var fy = money(spec.currency);
    // The time axis wants timestamps: ISO days from the server become milliseconds (UTC midnight).
    function stamp(point) { var out = Object.assign({}, point); out.x = Date.parse(point.x); return out; }
    spec.candles = spec.candles.map(stamp);
    spec.volume = spec.volume.map(stamp);
    spec.signals = spec.signals.map(stamp);
    var first = spec.candles.length ? spec.candles[0].x : null;
    var last = spec.candles.length ? spec.candles[spec.candles.length - 1].x : null;
    var datasets = [{
      type: "candlestick", label: spec.candle_label, data: spec.candles, yAxisID: "y",
      color: {up: "#1a7f37", down: "#cf222e", unchanged: "#57606a"},
      borderColor: {up: "#1a7f37", down: "#cf222e", unchanged: "#57606a"},
    }];
    spec.levels.forEach(function (level, i) {
      datasets.push({type: "line", label: level.label, yAxisID: "y", borderDash: [6, 4], pointRadius: 0,
        borderWidth: 1.5, borderColor: PALETTE[(i + 3) % PALETTE.length],
        data: [{x: first, y: level.value}, {x: last, y: level.value}]});
    });
    ["buy", "sell"].forEach(function (side) {
      var marks = spec.signals.filter(function (s) { return s.side === side; });
      if (!marks.length) { return; }
      datasets.push({type: "scatter", label: spec.signal_labels[side], yAxisID: "y", data: marks,
        pointStyle: "triangle", rotation: side === "buy" ? 0 : 180, pointRadius: 7,
        backgroundColor: side === "buy" ? "#1a7f37" : "#cf222e", borderColor: "#0d1b2a", borderWidth: 1});
    });
    var scales = {
      x: {type: "timeseries", time: {unit: "month"}, adapters: {date: {locale: LANG}},
        ticks: {autoSkip: true, autoSkipPadding: 12, maxRotation: 0, maxTicksLimit: tickLimit(canvas.clientWidth, 8)}},
      y: {position: "left", title: {display: true, text: spec.y_label}, ticks: {callback: fy},
        grace: "8%"},
    };
    if (spec.volume.length) {
      // Volume bars on their own axis, scaled so that they fill the lowest quarter of the chart.
      var top = Math.max.apply(null, spec.volume.map(function (v) { return v.y || 0; }));
      datasets.push({type: "bar", label: spec.volume_label, data: spec.volume, yAxisID: "volume",
        backgroundColor: "rgba(87, 96, 106, 0.35)", borderWidth: 0, order: 10});
      scales.volume = {position: "right", max: top * 4, grid: {drawOnChartArea: false},
        ticks: {maxTicksLimit: 3, callback: function (v) {
          return Number(v).toLocaleString(LANG, {notation: "compact", maximumFractionDigits: 1});
        }}};
    }
    return new Chart(canvas, {
      type: "candlestick",
      data: {datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, onResize: followWidth(8),
        interaction: {mode: "nearest", axis: "x", intersect: false},
        plugins: {legend: {display: true, labels: {usePointStyle: true}}},
        scales: scales,
      },
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return null; }
    var spec = JSON.parse(source.textContent);
    if (spec.type === "candlestick") { return candlestick(canvas, spec); }
    var fx = formatter(spec.x_format), fy = formatter(spec.y_format);
    var scales = {
      x: {title: {display: !!spec.x_label, text: spec.x_label || ""}},
      y: {title: {display: !!spec.y_label, text: spec.y_label || ""},
        ticks: {callback: spec.currency ? money(spec.currency) : fy}},
    };
    if (spec.y2_format || spec.y2_label) {
      scales.y2 = {position: "right", grid: {drawOnChartArea: false},
        title: {display: !!spec.y2_label, text: spec.y2_label || ""}, ticks: {callback: formatter(spec.y2_format)}};
    }
    if (spec.type === "scatter") {
      scales.x.type = "linear";
      scales.x.ticks = {callback: fx};
    } else {
      scales.x.ticks = {autoSkip: true, autoSkipPadding: 12, maxRotation: 0,
        maxTicksLimit: tickLimit(canvas.clientWidth, 12)};
    }
    return new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels || [], datasets: spec.datasets.map(function (ds, i) { return dataset(spec, ds, i); })},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        onResize: spec.type === "scatter" ? undefined : followWidth(12),
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
