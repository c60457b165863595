/* Chinese for the detail editor (django-prose-editor ships no zh catalog): its dialogs read
   window.gettext when the editor module loads, which is after this classic script; its toolbar
   titles and options are plain English and are translated as the editor builds them. */
"use strict";
(function () {
  const zh = {
    "Add caption": "添加图注", "Alternative Text": "替代文字", "Browse...": "浏览…",
    Bullets: "圆点", Cancel: "取消", Caption: "图注", Columns: "列数",
    "Decimal numbers": "数字", "Edit Figure": "编辑图片", "Edit HTML": "编辑 HTML",
    "Edit Image": "编辑图片", "Edit Link": "编辑链接", "Image URL": "图片地址",
    "Include header row": "包含表头行", "Insert Figure": "插入图片", "Insert Table": "插入表格",
    Insert: "插入", "List properties": "列表设置", "List type": "列表类型",
    "Lowercase Roman numerals": "小写罗马数字", "Lowercase letters": "小写字母",
    "Open in new window": "在新窗口打开", "Remove caption": "删除图注", Rows: "行数",
    "Start at": "起始编号", "Table Properties": "表格设置", Title: "标题",
    "Toggle fullscreen": "全屏", URL: "链接地址", Update: "更新",
    "Uppercase Roman numerals": "大写罗马数字", "Uppercase letters": "大写字母",
    "Merge cells": "合并单元格", "Split cell": "拆分单元格", bold: "加粗", italic: "斜体",
    underline: "下划线", strike: "删除线", "unordered list": "无序列表",
    "ordered list": "有序列表", blockquote: "引用", "horizontal rule": "分隔线",
    "Insert table": "插入表格", figure: "图片（网址）", "insert link": "插入链接",
    "remove link": "取消链接", paragraph: "正文", Paragraph: "正文", undo: "撤销", redo: "重做",
  };
  const translate = (text) => zh[text] || text.replace(/^Heading (\d)$/, "标题 $1");
  const base = window.gettext;
  window.gettext = (text) => (zh[text] ? zh[text] : base ? base(text) : text);

  function translateMenu(box) {
    box.querySelectorAll("[title]").forEach((node) => {
      const title = translate(node.title);
      if (title !== node.title) node.title = title;
    });
    box.querySelectorAll(".prose-menubar__option, .prose-menubar__option *").forEach((node) => {
      const text = node.children.length === 0 && translate(node.textContent);
      if (text && text !== node.textContent) node.textContent = text;
    });
  }

  // the editor builds (and rebuilds) its menu after it starts: translate what it adds
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      document.querySelectorAll(".prose-menubar").forEach(translateMenu);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
