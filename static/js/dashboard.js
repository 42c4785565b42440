// Draws the home dashboard's charts. Each chart is an element with data-chart="<id>", where <id>
// is the id of a json_script element holding its ECharts option (rendered by the server).
(() => {
  if (typeof echarts === "undefined") return;
  const charts = [];
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source) return;
    const chart = echarts.init(element);
    chart.setOption(JSON.parse(source.textContent));
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
