/* The counting page of a stock count (盘点单).
 *
 * - A hardware scanner types the barcode and Enter into #scan-term: the form posts it to the
 *   record URL, which adds the quantity (default 1, in the barcode's unit) to what this person
 *   counted of that line, and answers the line; its row on the page is updated.
 * - A typed code, name or mnemonic that is not exact answers candidates: tapping one records it.
 * - The camera button decodes barcodes from the device camera with the vendored ZXing library
 *   (static/vendor/zxing-library) and records each one like a scan; a barcode held in view
 *   counts once (it must leave the picture for 1.5 s to count again).
 * Without JavaScript the sheet below still works: type quantities and save the page.
 */
(function () {
  "use strict";
  const form = document.querySelector("form.count-scan");
  if (!form) return;
  const term = form.querySelector("#scan-term");
  const quantity = form.querySelector("#scan-quantity");
  const feedback = form.querySelector(".scan-feedback");
  const candidates = form.querySelector(".scan-candidates");
  const video = form.querySelector(".scan-video");
  const texts = document.getElementById("count-messages").dataset;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text, ok) {
    feedback.textContent = text;
    feedback.className = "scan-feedback mt-2 small " + (ok ? "text-success" : "text-danger");
  }

  function showLine(line) {
    const row = document.querySelector(`tr[data-line-id="${line.id}"]`);
    if (row) {
      row.querySelector("[data-counted]").textContent = line.counted;
      const mine = row.querySelector("[data-mine]");
      if (mine) mine.value = line.mine;
      row.classList.add("table-success");
    }
    say(`${line.code} ${line.name}: ${line.mine} ${line.unit} ${texts.added}`, true);
  }

  // Requests go one after the other, so fast scans are all counted, in order.
  let queue = Promise.resolve();

  async function send(fields) {
    const response = await fetch(form.dataset.recordUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
      body: new URLSearchParams(fields),
    });
    const data = await response.json();
    candidates.replaceChildren();
    if (data.line) {
      showLine(data.line);
    } else if (data.candidates && data.candidates.length) {
      say(texts.choose, true);
      for (const match of data.candidates) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.textContent = `${match.code} ${match.name}`;
        button.addEventListener("click", () => record({ product: String(match.id) }, fields.quantity));
        candidates.append(button);
      }
    } else {
      say(data.error || "?", false);
    }
  }

  function record(fields, amount) {
    // Read and reset the inputs now: the next scan may arrive before this answer.
    const payload = { quantity: amount || quantity.value || "1", ...fields };
    quantity.value = "1";
    term.value = "";
    term.focus();
    queue = queue.then(() => send(payload)).catch(() => say("?", false));
    return queue;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (term.value.trim()) record({ term: term.value.trim() });
  });

  let reader = null;
  let last = { code: "", at: 0 };
  form.querySelector("[data-camera]").addEventListener("click", async () => {
    if (reader) {
      reader.reset();
      reader = null;
      video.classList.add("d-none");
      return;
    }
    try {
      reader = new window.ZXing.BrowserMultiFormatReader();
      video.classList.remove("d-none");
      await reader.decodeFromVideoDevice(null, video, (result) => {
        if (!result) return;
        const code = result.getText();
        const now = Date.now();
        const seen = code === last.code && now - last.at < 1500;
        last = { code, at: now };
        if (seen) return; // still the same barcode in view
        record({ term: code });
      });
    } catch (error) {
      say(texts.cameraError, false);
      reader = null;
      video.classList.add("d-none");
    }
  });
})();
