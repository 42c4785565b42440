// Planning pages: the history + forecast chart of one product × warehouse. The figures come from
// a json_script block; without JavaScript the table beside the chart has them.
(() => {
  "use strict";
  const source = document.getElementById("forecast-chart-data");
  const box = document.getElementById("forecast-chart");
  if (!source || !box || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = window.echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { top: 36, left: 48, right: 16, bottom: 48 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value" },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 4 }],
    series: [
      { name: data.names.history, type: "bar", data: data.history, itemStyle: { color: "#6c757d" } },
      { name: data.names.forecast, type: "line", data: data.forecast, connectNulls: false, itemStyle: { color: "#0d6efd" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
