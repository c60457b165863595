/* A list of lines (卖点): "添加" adds an input, "删除" removes one; every input posts under the
   same name, so the server receives the list. The page works without this script too. */
"use strict";
(function () {
  function addRow(list, value) {
    const rows = list.querySelector(".list-text-rows");
    const row = rows.querySelector(".list-text-row").cloneNode(true);
    const input = row.querySelector("input");
    input.removeAttribute("id");
    input.value = value || "";
    rows.appendChild(row);
    return input;
  }

  function init(list) {
    list.querySelectorAll("button[hidden]").forEach((button) => (button.hidden = false));
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.classList.contains("list-text-add")) {
        addRow(list).focus();
      } else if (button.classList.contains("list-text-remove")) {
        const rows = list.querySelectorAll(".list-text-row");
        const row = button.closest(".list-text-row");
        if (rows.length === 1) row.querySelector("input").value = "";
        else row.remove();
      }
    });
    // Enter adds the next line instead of submitting the whole product form
    list.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing || event.target.tagName !== "INPUT") return;
      event.preventDefault();
      addRow(list).focus();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-list-text]").forEach(init);
  });
})();
