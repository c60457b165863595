/* The spec generator of the product page: spec names and their values (颜色: 黑色, 白色;
   尺码: M, L) become one SKU row per combination in the SKU grid below, with bulk price and
   stock. Rows already saved are never removed: a dropped combination becomes unsellable, so its
   orders and stock history stay. Specs are posted as "颜色:黑色;尺码:M" in each row. */
"use strict";
(function () {
  const NAME_MAX = 20;
  const VALUE_MAX = 40;

  function parseSpecs(text) {
    return (text || "")
      .replace(/；/g, ";").replace(/：/g, ":")
      .split(/[;\n]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const at = part.indexOf(":");
        return at < 0 ? [part, ""] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
      });
  }
  const specsText = (pairs) => pairs.map(([name, value]) => `${name}:${value}`).join(";");
  const keyOf = (pairs) => pairs.map(([n, v]) => `${n}\u0000${v}`).sort().join("\u0001");
  const combinations = (specs) =>
    specs.reduce(
      (combos, spec) => combos.flatMap((c) => spec.values.map((v) => [...c, [spec.name, v]])),
      [[]],
    );

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  function init(group) {
    const rows = () => [...group.querySelectorAll("tr.form-row:not(.empty-form)")];
    const field = (row, name) => row.querySelector(`[name$="-${name}"]`);
    const isSaved = (row) => Boolean(field(row, "id") && field(row, "id").value);

    const box = el("fieldset", { class: "module sku-generator", id: "sku-generator" });
    box.append(el("h2", {}, "规格与 SKU"));
    box.append(
      el(
        "p",
        { class: "help" },
        "填写规格名和规格值（多个值用逗号或顿号分开），点“生成 SKU 列表”得到每种组合一行；" +
          "没有规格的商品留空，生成一个 SKU。",
      ),
    );
    const specRows = el("div", { class: "spec-rows" });
    const message = el("p", { class: "spec-message", role: "status" });
    const addSpec = el("button", { type: "button", class: "button spec-add" }, "添加规格");
    const generate = el("button", { type: "button", class: "button default spec-generate" });
    generate.textContent = "生成 SKU 列表";
    const bulk = el("div", { class: "sku-bulk" });
    const bulkPrice = el("input", { type: "number", step: "0.01", min: "0.01", class: "bulk-price" });
    const bulkStock = el("input", { type: "number", step: "1", min: "0", class: "bulk-stock" });
    const bulkApply = el("button", { type: "button", class: "button bulk-apply" }, "批量设置");
    bulkPrice.placeholder = "售价（元）";
    bulkStock.placeholder = "初始库存";
    bulk.append("批量设置：售价 ", bulkPrice, " 库存 ", bulkStock, " ", bulkApply);
    box.append(specRows, addSpec, " ", generate, bulk, message);
    group.before(box);

    function say(text, isError) {
      message.textContent = text;
      message.classList.toggle("errornote", Boolean(isError));
    }

    function addSpecRow(name, values) {
      const row = el("div", { class: "spec-row" });
      const nameInput = el("input", { type: "text", class: "vTextField spec-name" });
      const valuesInput = el("input", { type: "text", class: "vTextField spec-values" });
      nameInput.placeholder = "规格名，如 颜色";
      valuesInput.placeholder = "规格值，如 黑色，白色";
      nameInput.value = name || "";
      valuesInput.value = (values || []).join("，");
      const remove = el("button", { type: "button", class: "button spec-remove" }, "删除");
      remove.addEventListener("click", () => row.remove());
      row.append(nameInput, " ", valuesInput, " ", remove);
      specRows.append(row);
      return nameInput;
    }

    function readSpecs() {
      const specs = [];
      for (const row of specRows.querySelectorAll(".spec-row")) {
        const name = row.querySelector(".spec-name").value.trim();
        const values = [
          ...new Set(
            row.querySelector(".spec-values").value.split(/[,，、\n]/).map((v) => v.trim()).filter(Boolean),
          ),
        ];
        if (!name && !values.length) continue;
        if (!name) throw new Error(`请填写规格值“${values.join("，")}”的规格名，如 颜色`);
        if (!values.length) throw new Error(`请填写“${name}”的规格值，多个值用逗号分开，如 黑色，白色`);
        if (specs.some((s) => s.name === name)) throw new Error(`规格名“${name}”重复了，请合并成一行`);
        for (const text of [name, ...values]) {
          if (/[:：;；]/.test(text)) throw new Error(`“${text}”里不能有冒号或分号`);
        }
        if (name.length > NAME_MAX) throw new Error(`规格名“${name}”太长，最多 ${NAME_MAX} 个字`);
        const long = values.find((v) => v.length > VALUE_MAX);
        if (long) throw new Error(`规格值“${long}”太长，最多 ${VALUE_MAX} 个字`);
        specs.push({ name, values });
      }
      return specs;
    }

    function addSkuRow() {
      group.querySelector(".add-row a").click();
      return rows().at(-1);
    }

    function decorate() {
      for (const row of rows()) {
        field(row, "specs").readOnly = true;
        if (!isSaved(row)) field(row, "stock_change").placeholder = "初始库存";
      }
    }

    function build() {
      let specs;
      try {
        specs = readSpecs();
      } catch (error) {
        say(error.message, true);
        return;
      }
      const combos = combinations(specs);
      const byKey = new Map(rows().map((row) => [keyOf(parseSpecs(field(row, "specs").value)), row]));
      const wanted = new Set();
      for (const combo of combos) {
        const key = keyOf(combo);
        wanted.add(key);
        const row = byKey.get(key) || addSkuRow();
        field(row, "specs").value = specsText(combo);
        if (!byKey.has(key)) field(row, "is_active").checked = true;
        if (row.dataset.retired) {
          field(row, "is_active").checked = true;
          delete row.dataset.retired;
          row.classList.remove("sku-retired");
          row.querySelector(".sku-retired-note").remove();
        }
      }
      let retired = 0;
      for (const row of rows()) {
        if (wanted.has(keyOf(parseSpecs(field(row, "specs").value)))) continue;
        if (!isSaved(row)) {
          row.querySelector(".inline-deletelink").click();
        } else if (field(row, "is_active").checked) {
          field(row, "is_active").checked = false;
          row.dataset.retired = "1";
          row.classList.add("sku-retired");
          const note = el("div", { class: "sku-retired-note" }, "规格已移除，保存后停售");
          field(row, "specs").after(note);
          retired += 1;
        }
      }
      decorate();
      let text = `已生成 ${combos.length} 个 SKU，请填写售价和库存`;
      if (retired) text += `；${retired} 个已保存的 SKU 不在新规格中，已设为不可售（订单和库存记录保留）`;
      say(text, false);
    }

    function applyBulk() {
      const price = bulkPrice.value.trim();
      const stock = bulkStock.value.trim();
      if (!price && !stock) return say("请先填写要批量设置的售价或库存", true);
      if (price && !(Number(price) > 0)) return say("售价须大于 0，如 99.00", true);
      if (stock && !/^\d+$/.test(stock)) return say("库存须为不小于 0 的整数", true);
      let priced = 0;
      let stocked = 0;
      for (const row of rows()) {
        if (!field(row, "is_active").checked) continue;
        if (price) {
          field(row, "price").value = Number(price).toFixed(2);
          priced += 1;
        }
        if (stock && !isSaved(row)) {
          field(row, "stock_change").value = stock;
          stocked += 1;
        }
      }
      let text = `已设置 ${priced} 个 SKU 的售价`;
      if (stock) text = `${price ? text + "，" : ""}已设置 ${stocked} 个新 SKU 的初始库存`;
      if (stock && rows().some(isSaved)) text += "；已保存的 SKU 请在“库存增减”中调整库存";
      say(text, false);
    }

    // the generator starts from the SKUs on the page: specs parsed back into names and values
    const source = rows().filter((row) => field(row, "is_active").checked);
    const names = new Map();
    for (const row of source.length ? source : rows()) {
      for (const [name, value] of parseSpecs(field(row, "specs").value)) {
        if (!names.has(name)) names.set(name, []);
        if (value && !names.get(name).includes(value)) names.get(name).push(value);
      }
    }
    names.forEach((values, name) => addSpecRow(name, values));
    if (!names.size) addSpecRow();
    decorate();

    addSpec.addEventListener("click", () => addSpecRow().focus());
    generate.addEventListener("click", build);
    bulkApply.addEventListener("click", applyBulk);
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault(); // not a submit of the whole product form
      if (event.target.closest(".sku-bulk")) applyBulk();
      else build();
    });
  }

  // after the admin's inlines.js has set up the "add another" link (on DOMContentLoaded)
  window.addEventListener("load", () => {
    const group = document.getElementById("skus-group");
    if (group) init(group);
  });
})();
