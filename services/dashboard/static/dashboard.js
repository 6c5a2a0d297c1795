// The dashboard's only script: draws the charts (Apache ECharts, vendored) and applies the live
// figures from the page's server-sent event stream. No data of its own; the session cookie is
// HttpOnly and never seen here.
(function () {
  "use strict";
  var script = document.getElementById("dashboard-js");
  var dataNode = document.getElementById("chart-data");
  var charts = [];
  var byId = {};

  // spec: {title, names or months, legend, values[series][i]; optional stack, share (0..1 axis),
  // texts[series][i] (the values as the server's Babel wrote them), colours[i] (one per category)}
  function draw(name, spec, kind) {
    var node = document.getElementById("chart-" + name);
    var holder = node && node.closest("figure");
    if (!node || !spec || !window.echarts) { if (holder) holder.hidden = true; return; }
    holder.hidden = false;
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(optionOf(spec, kind));
    charts.push(chart);
    byId[name] = { chart: chart, kind: kind };
  }

  function optionOf(spec, kind) {
    var texts = spec.texts;
    return {
      title: { text: spec.title, textStyle: { fontSize: 14, width: 280, overflow: "break" } },
      tooltip: { trigger: "axis", valueFormatter: spec.share ? function (v) { return Math.round(v * 1000) / 10 + "%"; } : undefined },
      legend: { data: spec.legend, bottom: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 48, bottom: 64 },
      xAxis: { type: "category", data: spec.names || spec.months, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: spec.share ? { type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } }
                        : { type: "value", minInterval: 1 },
      aria: { enabled: true },
      series: spec.legend.map(function (label, i) {
        var data = spec.colours ? spec.values[i].map(function (v, j) {
          return { value: v, itemStyle: { color: spec.colours[j] } };
        }) : spec.values[i];
        return { name: label, type: kind, data: data, stack: spec.stack ? "all" : undefined,
                 decal: { show: i > 0 },
                 label: texts && (spec.names || []).length <= 8 ? { show: true, position: "top", formatter: function (p) { return texts[i][p.dataIndex]; } }
                              : undefined };
      })
    };
  }

  if (dataNode) {
    var data = JSON.parse(dataNode.textContent);
    ["activities", "compliance", "wishes", "tiers", "coverage", "subregions"].forEach(function (name) {
      draw(name, data[name], "bar");
    });
    draw("series", data.series, "line");
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  var url = script && script.dataset.liveUrl;
  var status = document.getElementById("live-status");
  if (url && window.EventSource) {
    var source = new EventSource(url);
    source.addEventListener("open", function () { if (status) status.textContent = status.dataset.on; });
    source.addEventListener("figures", function (event) {
      var changed = JSON.parse(event.data);
      Object.keys(changed).forEach(function (key) {
        if (key.indexOf("chart:") === 0) {
          var name = key.slice(6), drawn = byId[name];  // the chart's whole spec, drawn afresh
          if (drawn) drawn.chart.setOption(optionOf(changed[key], drawn.kind), true);  // not merged: series may go
          else draw(name, changed[key], name === "series" ? "line" : "bar");  // hidden until it had data
          return;
        }
        document.querySelectorAll('[data-live="' + CSS.escape(key) + '"]').forEach(function (node) {
          node.textContent = changed[key];
          node.classList.remove("changed"); void node.offsetWidth; node.classList.add("changed");
        });
      });
    });
    source.addEventListener("expired", function () {
      source.close();
      window.location.assign("/login?expired=1&next=" + encodeURIComponent(window.location.pathname));
    });
    source.addEventListener("error", function () { if (status) status.textContent = status.dataset.off; });
  }
})();
