/* The dashboard's charts (ECharts, vendored). Every data point carries the URL of the records behind it; a
   click on a point, bar or funnel step opens that list. The data comes from the page (json_script). */
(function () {
  "use strict";
  var source = document.getElementById("fg-charts");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var dark = document.body.getAttribute("data-theme") === "dark";
  var text = dark ? "#e8eefc" : "#333";
  var pct = function (v) { return v === null || v === undefined ? "—" : v + "%"; };

  function lines(spec, yMax) {
    return {
      color: ["#b3261e", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"],
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { top: 0, textStyle: { color: text }, type: "scroll" },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: spec.days, axisLabel: { color: text } },
      yAxis: { type: "value", max: yMax, axisLabel: { color: text, formatter: "{value}%" } },
      series: spec.series.map(function (s) {
        return { name: s.name, type: "line", smooth: true, connectNulls: true, data: s.data, symbolSize: 6,
                 fgUrl: s.url };
      })
    };
  }

  function bars(spec) {
    return {
      color: ["#b3261e"],
      tooltip: { trigger: "axis", valueFormatter: pct },
      grid: { left: 40, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: spec.labels, axisLabel: { color: text, rotate: 35, interval: 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { color: text, formatter: "{value}%" } },
      series: [{ name: "复工率", type: "bar", data: spec.rate, label: { show: true, position: "top", color: text, formatter: function (p) { return pct(p.value); } } }]
    };
  }

  function funnel(steps) {
    return {
      color: ["#1f77b4", "#17becf", "#2ca02c", "#b3261e"],
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      series: [{ type: "funnel", sort: "none", left: "8%", width: "84%", minSize: "20%", data: steps,
                 label: { show: true, position: "inside", formatter: "{b} {c}", color: "#fff" } }]
    };
  }

  var builders = {
    rate_series: function () { return lines(data.rate_series, 100); },
    work_series: function () { return lines(data.work_series, null); },
    towns: function () { return bars(data.towns); },
    categories: function () { return bars(data.categories); },
    industries: function () { return bars(data.industries); },
    funnel: function () { return funnel(data.funnel); }
  };

  var charts = [];
  document.querySelectorAll(".fg-chart[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")];
    if (!build) { return; }
    var chart = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
    if (dark) { chart.setOption({ backgroundColor: "transparent" }); }
    chart.setOption(build());
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (!url && params.seriesType === "line") {
        // A line carries one link with a {date} slot; the point's day fills it.
        var series = chart.getOption().series[params.seriesIndex];
        if (series.fgUrl && data.dates) { url = series.fgUrl.replace("{date}", data.dates[params.dataIndex]); }
      }
      if (url) { window.location.href = url; }
    });
    el.setAttribute("data-ready", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
