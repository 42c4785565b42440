// Draws the sales trend from the ECharts option the server renders with json_script.
(() => {
  const element = document.getElementById("trend-chart");
  const source = document.getElementById("trend-option");
  if (!element || !source || typeof echarts === "undefined") return;
  const chart = echarts.init(element);
  chart.setOption(JSON.parse(source.textContent));
  window.addEventListener("resize", () => chart.resize());
})();
