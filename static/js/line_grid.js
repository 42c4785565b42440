/*
 * Document line grid: a Django formset rendered as table rows, made quick to fill in.
 *
 *   <table data-line-grid data-prefix="lines" data-lookup-url="..." data-price-field="purchase_price"
 *          [data-stock-url="..." data-warehouse-input="#id_warehouse"] [data-scan-increments]
 *          [data-receives-stock]>
 *     <tbody> <tr class="line-row"> ...inputs with data-field="product|product-search|unit|quantity|
 *             unit-price|tax-rate|discount|amount|available"... </tr> </tbody>
 *   </table>
 *   <template class="line-grid-empty"> (formset.empty_form as a row) </template>
 *   <input data-line-grid-scan>           scanner box: barcode + Enter adds or increments a line
 *   <span data-grid-total="quantity|amount|tax|total"></span>
 *   <button data-grid-add>                adds an empty row
 *   <div data-line-import data-resolve-url data-upload-url>   (imports/partials/_line_import.html)
 *     [data-line-import-toggle] [data-line-import-panel] [data-line-import-text] [data-line-import-add]
 *     [data-line-import-file] [data-line-import-feedback]
 *                                         rows copied from Excel (code or barcode, quantity, unit price,
 *                                         unit) pasted or uploaded: one request resolves them all, the
 *                                         lines fill the grid, refused rows are listed, never added.
 *                                         A multi-line paste into a product box does the same.
 *
 * The server recomputes every amount; this only saves typing.
 */
(function () {
  "use strict";

  const dec = (value) => {
    const number = parseFloat(String(value ?? "").replace(/,/g, ""));
    return Number.isFinite(number) ? number : 0;
  };
  const fmt = (number, places = 2) =>
    number.toLocaleString(undefined, { minimumFractionDigits: places, maximumFractionDigits: places });
  const trimZeros = (number) => String(Math.round(number * 10000) / 10000);
  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);

  function debounce(fn, wait) {
    let timer;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), wait);
    };
  }

  class LineGrid {
    constructor(table) {
      this.table = table;
      this.body = table.tBodies[0];
      this.prefix = table.dataset.prefix;
      this.lookupUrl = table.dataset.lookupUrl;
      this.priceField = table.dataset.priceField || "sale_price";
      this.stockUrl = table.dataset.stockUrl || "";
      this.warehouseInput = table.dataset.warehouseInput
        ? document.querySelector(table.dataset.warehouseInput)
        : null;
      this.scanIncrements = table.hasAttribute("data-scan-increments");
      // "Available" short of the quantity is a warning where the document takes stock out; a purchase
      // (data-receives-stock) shows it for information only.
      this.issuesStock = !table.hasAttribute("data-receives-stock");
      this.scope = table.closest("form") || document;
      this.template = this.scope.querySelector("template.line-grid-empty");
      this.totalForms = this.scope.querySelector(`#id_${this.prefix}-TOTAL_FORMS`);
      this.products = new Map(); // product id -> lookup result

      this.body.querySelectorAll("tr.line-row").forEach((row) => this.bindRow(row));
      this.scope.querySelectorAll("[data-grid-add]").forEach((button) =>
        button.addEventListener("click", (event) => {
          event.preventDefault();
          const row = this.addRow();
          field(row, "product-search")?.focus();
        })
      );
      this.scope.querySelectorAll("[data-line-grid-scan]").forEach((input) => this.bindScan(input));
      this.importBox = this.scope.querySelector("[data-line-import]");
      if (this.importBox) this.bindImport(this.importBox);
      if (this.warehouseInput) this.warehouseInput.addEventListener("change", () => this.refreshStock());
      this.recalc();
      this.refreshStock();
    }

    async lookup(term) {
      const url = new URL(this.lookupUrl, window.location.origin);
      url.searchParams.set("q", term);
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return [];
      const data = await response.json();
      data.results.forEach((product) => this.products.set(String(product.id), product));
      return data.results;
    }

    addRow() {
      const index = parseInt(this.totalForms.value, 10);
      const html = this.template.innerHTML.replace(/__prefix__/g, String(index));
      this.body.insertAdjacentHTML("beforeend", html);
      this.totalForms.value = String(index + 1);
      const row = this.body.lastElementChild;
      const number = field(row, "row-no");
      if (number) number.textContent = String(index + 1);  // as the server numbers its forms
      this.bindRow(row);
      return row;
    }

    emptyRow() {
      return [...this.body.querySelectorAll("tr.line-row")].find(
        (row) => !row.hidden && !field(row, "product")?.value
      );
    }

    bindRow(row) {
      const search = field(row, "product-search");
      if (search) this.bindSearch(row, search);
      if (search && this.importBox) {
        search.addEventListener("paste", (event) => {
          const text = event.clipboardData?.getData("text") || "";
          if (!/[\t\n]/.test(text.trim())) return; // one code: the ordinary search
          event.preventDefault();
          this.importLines(this.importBody({ text }), this.importBox.dataset.resolveUrl);
        });
      }
      ["quantity", "unit-price", "tax-rate", "discount"].forEach((name) =>
        field(row, name)?.addEventListener("input", () => this.recalc())
      );
      field(row, "unit")?.addEventListener("change", () => this.onUnitChange(row));
      const remove = row.querySelector("[data-grid-remove]");
      remove?.addEventListener("click", (event) => {
        event.preventDefault();
        const del = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
        if (del) del.checked = true;
        row.hidden = true;
        this.recalc();
      });
    }

    bindSearch(row, input) {
      const menu = document.createElement("div");
      menu.className = "dropdown-menu line-grid-menu";
      input.parentElement.style.position = "relative";
      input.insertAdjacentElement("afterend", menu);
      const hide = () => menu.classList.remove("show");
      const show = (results) => {
        menu.replaceChildren(
          ...results.map((product) => {
            const item = document.createElement("button");
            item.type = "button";
            item.className = "dropdown-item";
            item.textContent = `${product.code} ${product.name}${product.specification ? " · " + product.specification : ""}`;
            item.addEventListener("mousedown", (event) => {
              event.preventDefault();
              this.selectProduct(row, product);
              hide();
            });
            return item;
          })
        );
        menu.classList.toggle("show", results.length > 0);
      };
      const search = debounce(async () => {
        const term = input.value.trim();
        if (term.length < 1) return hide();
        show(await this.lookup(term));
      }, 200);
      input.addEventListener("input", search);
      input.addEventListener("blur", () => setTimeout(hide, 150));
      input.addEventListener("keydown", async (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault(); // a scanner's Enter must not submit the document
        const term = input.value.trim();
        if (!term) return;
        const results = await this.lookup(term);
        if (results.length === 1 || (results[0] && results[0].exact)) {
          this.selectProduct(row, results[0]);
          hide();
        } else {
          show(results);
        }
      });
    }

    selectProduct(row, product, unitId = null, { quiet = false } = {}) {
      field(row, "product").value = product.id;
      const search = field(row, "product-search");
      if (search) search.value = `${product.code} ${product.name}`;
      row.dataset.basePrice = product[this.priceField] ?? "0";
      row.dataset.unitName = product.base_unit.name;
      const unit = field(row, "unit");
      if (unit) {
        // The base unit first (ratio 1), then the secondary units. The lookup's "units" may list the
        // base unit too (masterdata's does): take it once.
        const base = { id: product.base_unit.id, name: product.base_unit.name, ratio: "1" };
        const options = [base, ...product.units.filter((option) => String(option.id) !== String(base.id))];
        unit.replaceChildren(
          ...options.map((option) => {
            const element = document.createElement("option");
            element.value = option.id;
            element.textContent = option.name;
            element.dataset.ratio = option.ratio;
            return element;
          })
        );
        unit.value = String(unitId || product.barcode_unit_id || product.base_unit.id);
      }
      const tax = field(row, "tax-rate");
      if (tax && !tax.value) tax.value = product.tax_rate;
      const quantity = field(row, "quantity");
      if (quantity && !dec(quantity.value)) quantity.value = "1";
      this.applyUnitPrice(row);
      if (!quiet) {
        this.recalc();
        this.refreshStock();
      }
      row.dispatchEvent(new CustomEvent("line-grid:product", { bubbles: true, detail: { product } }));
      if (quiet) return;
      quantity?.focus();
      quantity?.select();
    }

    unitNameOf(row) {
      const option = field(row, "unit")?.selectedOptions?.[0];
      return option ? option.textContent.trim() : row.dataset.unitName || "";
    }

    ratioOf(row) {
      const unit = field(row, "unit");
      const option = unit?.selectedOptions?.[0];
      return option ? dec(option.dataset.ratio || "1") || 1 : 1;
    }

    applyUnitPrice(row) {
      const price = field(row, "unit-price");
      if (price && row.dataset.basePrice !== undefined) {
        price.value = trimZeros(dec(row.dataset.basePrice) * this.ratioOf(row));
      }
    }

    onUnitChange(row) {
      this.applyUnitPrice(row);
      this.recalc();
      this.refreshStock();
    }

    bindScan(input) {
      input.addEventListener("keydown", async (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        const code = input.value.trim();
        input.value = "";
        if (!code) return;
        const results = await this.lookup(code);
        const product = results.find((result) => result.exact);
        const feedback = input.parentElement.querySelector(".scan-feedback");
        if (!product) {
          if (feedback) feedback.textContent = input.dataset.notFound || `? ${code}`;
          input.classList.add("is-invalid");
          return;
        }
        input.classList.remove("is-invalid");
        if (feedback) feedback.textContent = `${product.code} ${product.name}`;
        const unitId = String(product.barcode_unit_id || product.base_unit.id);
        const existing = this.lineOf(product, unitId);
        if (existing && this.scanIncrements) {
          const quantity = field(existing, "quantity");
          quantity.value = trimZeros(dec(quantity.value) + 1);
          this.flash(existing);
          this.recalc();
        } else if (existing) {
          this.flash(existing);
          field(existing, "quantity")?.focus();
        } else {
          const row = this.emptyRow() || this.addRow();
          this.selectProduct(row, product, unitId);
          this.flash(row);
          input.focus();
        }
      });
    }

    lineOf(product, unitId) {
      return [...this.body.querySelectorAll("tr.line-row")].find(
        (row) =>
          !row.hidden &&
          field(row, "product")?.value === String(product.id) &&
          (!field(row, "unit") || field(row, "unit").value === unitId)
      );
    }

    bindImport(box) {
      const panel = box.querySelector("[data-line-import-panel]");
      const text = box.querySelector("[data-line-import-text]");
      const toggle = box.querySelector("[data-line-import-toggle]");
      toggle?.addEventListener("click", () => {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
        if (!panel.hidden) text?.focus();
      });
      box.querySelector("[data-line-import-add]")?.addEventListener("click", async () => {
        if (!text.value.trim()) return;
        const done = await this.importLines(this.importBody({ text: text.value }), box.dataset.resolveUrl);
        if (done) text.value = "";
      });
      const file = box.querySelector("[data-line-import-file]");
      file?.addEventListener("change", async () => {
        if (!file.files.length) return;
        await this.importLines(this.importBody({ file: file.files[0] }), box.dataset.uploadUrl);
        file.value = "";
      });
    }

    importBody(values) {
      const body = new FormData();
      Object.entries(values).forEach(([name, value]) => body.append(name, value));
      return body;
    }

    // Posts the rows, adds the lines it gets back, lists the refused rows. True when every row was added.
    async importLines(body, url) {
      const box = this.importBox;
      const feedback = box.querySelector("[data-line-import-feedback]");
      const token = this.scope.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
      feedback.replaceChildren(box.dataset.labelReading || "…");
      feedback.className = "small mt-1 text-muted";
      let data;
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          headers: { Accept: "application/json", "X-CSRFToken": token },
          credentials: "same-origin",
        });
        data = await response.json();
      } catch {
        data = { refused: box.dataset.labelFailed || "?" };
      }
      if (data.refused || !data.lines) {
        feedback.replaceChildren(data.refused || box.dataset.labelFailed || "?");
        feedback.className = "small mt-1 text-danger";
        return false;
      }
      data.lines.forEach((line) => this.addLine(line));
      this.recalc();
      this.refreshStock();
      const summary = document.createElement("div");
      summary.textContent = (box.dataset.labelAdded || "{count}").replace("{count}", String(data.lines.length));
      const parts = [summary];
      if (data.errors.length) {
        const title = document.createElement("div");
        title.textContent = box.dataset.labelRefused || "";
        title.className = "text-danger fw-semibold";
        const list = document.createElement("ul");
        list.className = "text-danger mb-0 ps-3";
        list.append(
          ...data.errors.map((error) => {
            const item = document.createElement("li");
            item.textContent = error.message;
            return item;
          })
        );
        parts.push(title, list);
      }
      feedback.replaceChildren(...parts);
      feedback.className = "small mt-1";
      return data.errors.length === 0;
    }

    // One resolved line: on the grid's identical product and unit line when the grid adds scans up,
    // else on an empty or new row. A price given in the file is kept as typed by hand.
    addLine(line) {
      const { product } = line;
      const unitId = String(line.unit_id);
      this.products.set(String(product.id), product);
      const existing = this.scanIncrements ? this.lineOf(product, unitId) : null;
      const row = existing || this.emptyRow() || this.addRow();
      const quantity = field(row, "quantity");
      if (existing) {
        quantity.value = trimZeros(dec(quantity.value) + dec(line.quantity));
      } else {
        this.selectProduct(row, product, unitId, { quiet: true });
        quantity.value = line.quantity;
      }
      const price = field(row, "unit-price");
      if (price && line.unit_price !== null) {
        price.value = line.unit_price;
        price.dataset.manual = "1";
      }
      this.flash(row);
    }

    flash(row) {
      row.classList.add("table-success");
      row.scrollIntoView({ block: "nearest" });
      setTimeout(() => row.classList.remove("table-success"), 700);
    }

    recalc() {
      const totals = { quantity: 0, amount: 0, tax: 0, total: 0 };
      const units = new Set();
      this.body.querySelectorAll("tr.line-row").forEach((row) => {
        if (row.hidden) return;
        const quantity = dec(field(row, "quantity")?.value);
        const price = dec(field(row, "unit-price")?.value);
        const discount = dec(field(row, "discount")?.value);
        const rate = dec(field(row, "tax-rate")?.value);
        const amount = Math.round(quantity * price * (1 - discount / 100) * 100) / 100;
        const tax = Math.round(amount * rate) / 100;
        const cell = field(row, "amount");
        if (cell) cell.textContent = fmt(amount + tax);
        const available = field(row, "available");
        if (available?.textContent && this.issuesStock) {
          available.classList.toggle("text-danger", dec(available.textContent) < quantity);
        }
        totals.quantity += quantity;
        if (quantity) units.add(this.unitNameOf(row));
        totals.amount += amount;
        totals.tax += tax;
        totals.total += amount + tax;
      });
      // Cases and bottles (or kilograms) do not add up: a quantity total only when every line is in one unit.
      const mixed = units.size > 1;
      this.scope.querySelectorAll("[data-grid-total]").forEach((element) => {
        const key = element.dataset.gridTotal;
        if (key !== "quantity") {
          element.textContent = fmt(totals[key]);
        } else if (mixed) {
          element.textContent = "—";
          element.title = document.body.dataset.labelMixedUnits || "";
        } else {
          const [unit] = units;
          element.textContent = unit ? `${trimZeros(totals.quantity)} ${unit}` : trimZeros(totals.quantity);
          element.removeAttribute("title");
        }
      });
    }

    async refreshStock() {
      if (!this.stockUrl || !this.warehouseInput || !this.warehouseInput.value) return;
      const rows = [...this.body.querySelectorAll("tr.line-row")].filter(
        (row) => field(row, "available") && field(row, "product")?.value
      );
      if (!rows.length) return;
      const url = new URL(this.stockUrl, window.location.origin);
      url.searchParams.set("warehouse", this.warehouseInput.value);
      rows.forEach((row) => url.searchParams.append("product", field(row, "product").value));
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const stock = await response.json();
      rows.forEach((row) => {
        const entry = stock[field(row, "product").value];
        const cell = field(row, "available");
        // In the line's unit, to two places, rounded down: 100 pieces are 8.33 boxes of 12, never 8.34.
        const available = entry ? Math.floor((dec(entry.available) / this.ratioOf(row)) * 100) / 100 : 0;
        cell.textContent = trimZeros(available);
        if (this.issuesStock) cell.classList.toggle("text-danger", available < dec(field(row, "quantity")?.value));
      });
    }
  }

  function init(root) {
    root.querySelectorAll("table[data-line-grid]").forEach((table) => {
      if (!table.lineGrid) table.lineGrid = new LineGrid(table);
    });
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
  window.JXCLineGrid = { init };
})();
