/* The detail editor's "上传图片" button: the chosen picture is uploaded to our media (a staff-only,
   CSRF-checked view) and inserted where the cursor is. */
import { Extension } from "django-prose-editor/editor";

const MAX_BYTES = 5 * 1024 * 1024;
const TYPES = "image/jpeg,image/png,image/webp,image/gif";

function say(editor, text) {
  const box = editor.view.dom.closest(".prose-editor") || editor.view.dom;
  let note = box.parentNode.querySelector(".prose-upload-note");
  if (!note) {
    note = document.createElement("p");
    note.className = "prose-upload-note";
    note.setAttribute("role", "status");
    box.after(note);
  }
  note.textContent = text;
  note.classList.toggle("errornote", text !== "" && !text.startsWith("正在"));
}

async function upload(url, file) {
  const body = new FormData();
  body.append("image", file);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrf ? csrf.value : "" },
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || "图片上传失败，请重试");
  return answer.url;
}

function chooseAndInsert(editor, url) {
  const input = document.createElement("input");
  input.type = "file";
  input.accept = TYPES;
  input.hidden = true;
  document.body.appendChild(input);
  input.addEventListener("change", async () => {
    const file = input.files[0];
    input.remove();
    if (!file) return;
    if (file.size > MAX_BYTES) return say(editor, "图片不能超过 5 MB，请压缩后再上传");
    say(editor, "正在上传图片…");
    try {
      const src = await upload(url, file);
      editor.chain().focus().setImage({ src, alt: "" }).run();
      say(editor, "");
    } catch (error) {
      say(editor, error.message);
    }
  });
  input.click();
}

export const ImageUpload = Extension.create({
  name: "imageUpload",
  addOptions() {
    return { uploadUrl: "" };
  },
  addMenuItems({ menu, buttons }) {
    const url = this.options.uploadUrl;
    menu.defineItem({
      name: "imageUpload",
      groups: "nodes",
      button: buttons.text("上传图片", "上传图片并插入到光标处"),
      command: (editor) => chooseAndInsert(editor, url),
      enabled: (editor) => editor.isEditable,
    });
  },
});
