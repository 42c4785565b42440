// Purchasing pages: supplier price defaults on the order grid, counting a receipt from zero, the
// scorecard trend chart.
(() => {
  "use strict";

  // --- order grid: price and expected date from the supplier's price list -------------------
  // When a row's product or unit changes, ask procurement:supplier_price and fill the unit price
  // (unless typed by hand) and, if blank, the expected date. The server applies the same default
  // to a blank price, so this is only a convenience. A price typed while the lookup is on its way
  // is kept (the flag is read again when the answer arrives), and only the row's latest lookup
  // may fill it (an earlier answer arriving late is dropped). Clearing the price by hand gives it
  // back to the price list.
  const grid = document.querySelector("table[data-supplier-price-url]");
  if (grid) {
    const url = grid.dataset.supplierPriceUrl;
    const supplierInput = document.querySelector(grid.dataset.supplierInput || "#id_supplier");
    const dateInput = document.querySelector(grid.dataset.dateInput || "#id_order_date");
    const expectedInput = document.querySelector("#id_expected_date");

    const typedByHand = (price) => price.dataset.manual === "1";
    let lookups = 0;

    const fill = async (row) => {
      const product = row.querySelector('[data-field="product"]');
      const price = row.querySelector('[data-field="unit-price"]');
      const unit = row.querySelector('[data-field="unit"]');
      if (!product || !product.value || !supplierInput || !supplierInput.value || !price) return;
      if (typedByHand(price)) return;
      const lookup = String(++lookups);
      row.dataset.priceLookup = lookup;
      const params = new URLSearchParams({ supplier: supplierInput.value, product: product.value });
      if (unit && unit.value) params.set("unit", unit.value);
      if (dateInput && dateInput.value) params.set("date", dateInput.value);
      const response = await fetch(`${url}?${params}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (row.dataset.priceLookup !== lookup) return; // a later lookup of this row answers instead
      if (!typedByHand(price)) {
        price.value = data.unit_price;
        price.title = data.source;
        price.dispatchEvent(new Event("input", { bubbles: true }));
      }
      const tax = row.querySelector('[data-field="tax-rate"]');
      if (tax && !tax.value) tax.value = data.tax_rate;
      if (expectedInput && !expectedInput.value && data.expected_date) expectedInput.value = data.expected_date;
    };

    grid.addEventListener("change", (event) => {
      const field = event.target.dataset.field;
      if (field === "product" || field === "unit") fill(event.target.closest("tr"));
    });
    grid.addEventListener("input", (event) => {
      const target = event.target;
      if (target.dataset.field === "unit-price" && event.isTrusted) {
        target.dataset.manual = target.value.trim() === "" ? "" : "1";
      }
    });
    // The grid sets the hidden product id from script, which fires no event: watch the values.
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const target = mutation.target;
        if (target.dataset && target.dataset.field === "product") fill(target.closest("tr"));
      }
    }).observe(grid, { attributes: true, attributeFilter: ["value"], subtree: true });
    if (supplierInput) {
      supplierInput.addEventListener("change", () => {
        grid.querySelectorAll("tr.line-row").forEach((row) => fill(row));
      });
    }
  }

  // --- receipt against an order: count from zero ----------------------------------------------
  // Received starts at each line's open quantity (type-and-post); a count by scanning starts at 0.
  document.querySelectorAll("[data-receipt-count-from-zero]").forEach((button) => {
    button.addEventListener("click", () => {
      const form = button.closest("form");
      form.querySelectorAll('tr.line-row [data-field="quantity"]').forEach((input) => {
        input.value = "0";
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      form.querySelector("[data-line-grid-scan]")?.focus();
    });
  });

  // --- scorecard trend chart -----------------------------------------------------------------
  const chartData = document.getElementById("scorecard-chart");
  const chartBox = document.getElementById("scorecard-trend");
  if (chartData && chartBox && window.echarts) {
    const data = JSON.parse(chartData.textContent);
    const percent = ["on_time_rate", "fill_rate", "acceptance_rate", "price_variance"];
    const series = Object.keys(data.series).map((key) => ({
      name: data.labels[key],
      type: "line",
      connectNulls: true,
      yAxisIndex: percent.includes(key) ? 0 : 1,
      data: data.series[key],
    }));
    const chart = window.echarts.init(chartBox);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { top: 40, left: 40, right: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: "%" },
        { type: "value", name: data.labels.lead_time_mean, nameTextStyle: { align: "right" } },
      ],
      series,
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
