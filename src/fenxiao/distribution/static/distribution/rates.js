// The per-level commission rates: the commission each level earns on one ¥100 item, worked
// out as distribution/rules.py line_amounts does (truncated to the fen, levels together
// within the 佣金上限), and the rows above the plan's 分销层级 hidden and not posted.
"use strict";
(function () {
  const SALE_FEN = 10000; // one item of ¥100.00

  function fenOf(text) {
    const value = String(text).trim().replace(/%$/, "").replace(/^[¥￥]/, "");
    return /^\d+(\.\d+)?$/.test(value) ? Number(value) : null;
  }

  function yuan(fen) {
    return "¥" + (fen / 100).toFixed(2);
  }

  function setUp(widget) {
    const form = widget.closest("form");
    const levelsInput = form && form.querySelector("#id_levels");
    const shareInput = form && form.querySelector("#id_max_commission_share");
    const note = widget.querySelector(".rates-note");

    function share() {
      const text = shareInput ? shareInput.value : widget.dataset.share;
      const value = fenOf(text || "");
      return value === null ? 100 : value;
    }

    function update() {
      const levels = levelsInput ? Number(levelsInput.value) || 3 : 99;
      let room = Math.floor(SALE_FEN * share() / 100);
      let total = 0;
      let percents = 0;
      let invalid = [];
      widget.querySelectorAll(".rates-row").forEach(function (row) {
        const shown = Number(row.dataset.level) <= levels;
        row.hidden = !shown;
        row.querySelectorAll("input, select").forEach(function (el) { el.disabled = !shown; });
        const cell = row.querySelector(".rates-example");
        const text = row.querySelector(".rates-value").value.trim();
        const unit = row.querySelector(".rates-unit").value;
        const value = fenOf(text);
        if (!shown || text === "") { cell.textContent = "—"; return; }
        if (value === null) {
          cell.textContent = "请填数字";
          invalid.push(row.querySelector("th").textContent);
          return;
        }
        let fen = unit === "percent"
          ? Math.floor(SALE_FEN * value / 100 + 1e-9)
          : Math.floor(value * 100 + 1e-9);
        if (unit === "percent") { percents += value; }
        fen = Math.max(0, Math.min(fen, room));
        room -= fen;
        total += fen;
        cell.textContent = yuan(fen);
      });
      widget.querySelector(".rates-total").textContent = yuan(total);
      const messages = [];
      if (invalid.length) {
        messages.push(invalid.join("、") + "佣金请填写数字，如 15 或 3.00");
      }
      percents = Math.round(percents * 10000) / 10000; // 0.1 + 0.2 is 0.3 here
      if (percents > share()) {
        messages.push("各级佣金比例合计 " + percents + "% 超过佣金上限 " + share() + "%，保存时会被拒绝");
      }
      note.textContent = messages.join("；");
      note.hidden = messages.length === 0;
    }

    widget.addEventListener("input", update);
    widget.addEventListener("change", update);
    if (levelsInput) { levelsInput.addEventListener("change", update); levelsInput.addEventListener("input", update); }
    if (shareInput) { shareInput.addEventListener("input", update); }
    update();
  }

  function start() {
    document.querySelectorAll(".rates-widget").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
