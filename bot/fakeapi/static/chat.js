// The demo's chat client: one user per tab, the bot's messages drawn from text + entities as
// Telegram's apps draw them, every change heard through server-sent events.
"use strict";

const $ = (id) => document.getElementById(id);
const chat = $("chat");
const input = $("input");
const messages = new Map(); // message id -> row element
let me = null;
let typingTimer = null;
let source = null;

function userId() {
  // sessionStorage is per tab: two tabs are two users, a reload stays the same user.
  let id = sessionStorage.getItem("debrief-demo-user");
  if (!id) {
    id = String(1000000 + Math.floor(Math.random() * 8000000000));
    sessionStorage.setItem("debrief-demo-user", id);
  }
  return Number(id);
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

// -- rendering --------------------------------------------------------------------------------

const COMMAND_OR_URL = /(^|[\s(])(\/[A-Za-z0-9_]{1,32})(?![\w/])|https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

function appendPlain(parent, text, linkify) {
  if (!linkify) {
    parent.append(text);
    return;
  }
  let last = 0;
  for (const match of text.matchAll(COMMAND_OR_URL)) {
    if (match[2]) {
      const start = match.index + match[1].length;
      parent.append(text.slice(last, start));
      const link = document.createElement("a");
      link.href = "#";
      link.textContent = match[2];
      link.addEventListener("click", (event) => {
        event.preventDefault();
        send(match[2]);
      });
      parent.append(link);
      last = start + match[2].length;
    } else {
      parent.append(text.slice(last, match.index));
      parent.append(externalLink(match[0], match[0]));
      last = match.index + match[0].length;
    }
  }
  parent.append(text.slice(last));
}

function externalLink(href, text) {
  const link = document.createElement("a");
  link.href = /^(https?:|tg:|mailto:)/i.test(href) ? href : "#";
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = text;
  return link;
}

function entityElement(entity, text) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code" };
  if (tags[entity.type]) {
    const el = document.createElement(tags[entity.type]);
    return { outer: el, inner: el, linkify: entity.type !== "code" };
  }
  switch (entity.type) {
    case "text_link": {
      const el = externalLink(entity.url || "#", "");
      return { outer: el, inner: el, linkify: false };
    }
    case "spoiler": {
      const el = document.createElement("span");
      el.className = "spoiler";
      el.addEventListener("click", () => el.classList.add("shown"));
      return { outer: el, inner: el, linkify: true };
    }
    case "blockquote":
    case "expandable_blockquote": {
      const el = document.createElement("blockquote");
      return { outer: el, inner: el, linkify: true };
    }
    case "pre": {
      const box = document.createElement("div");
      box.className = "pre";
      // The header line holds the language, if any, and leaves room for the copy button.
      const lang = document.createElement("div");
      lang.className = "lang";
      lang.textContent = entity.language || "";
      box.append(lang);
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      pre.append(code);
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "copy";
      copy.textContent = "Copy";
      copy.addEventListener("click", async () => {
        await copyText(code.textContent);
        copy.textContent = "Copied";
        setTimeout(() => (copy.textContent = "Copy"), 1500);
      });
      box.append(copy, pre);
      return { outer: box, inner: code, linkify: false };
    }
    default: {
      const el = document.createElement("span");
      return { outer: el, inner: el, linkify: true };
    }
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

// Entities count UTF-16 code units, as JavaScript strings do, so offsets index the text directly.
function renderText(text, entities) {
  const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const root = document.createDocumentFragment();
  let next = 0;
  const blocks = new Set(["pre", "blockquote", "expandable_blockquote"]);
  function build(parent, start, end, linkify) {
    let pos = start;
    while (next < sorted.length && sorted[next].offset < end) {
      const entity = sorted[next];
      next += 1;
      if (entity.offset < pos || entity.type === "bot_command") continue;
      appendPlain(parent, text.slice(pos, entity.offset), linkify);
      const element = entityElement(entity, text);
      const stop = Math.min(entity.offset + entity.length, end);
      build(element.inner, entity.offset, stop, linkify && element.linkify);
      parent.append(element.outer);
      pos = stop;
      // A block ends its line already, as in Telegram's apps: the newline after it adds none.
      if (blocks.has(entity.type) && text[pos] === "\n") pos += 1;
    }
    appendPlain(parent, text.slice(pos, end), linkify);
  }
  build(root, 0, text.length, true);
  return root;
}

function fileUrl(fileId, download) {
  return `/api/files/${encodeURIComponent(fileId)}?user=${me}${download ? "&download=1" : ""}`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function clock(date) {
  return new Date(date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function drawMessage(message) {
  const row = document.createElement("div");
  row.className = `row ${message.out ? "out" : "in"}`;
  row.dataset.id = message.id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.photo) {
    const img = document.createElement("img");
    img.className = "photo";
    img.src = fileUrl(message.photo.file_id, false);
    img.alt = message.text || "photo";
    if (message.photo.width) {
      img.width = message.photo.width;
      img.height = message.photo.height;
    }
    img.addEventListener("click", () => window.open(img.src, "_blank", "noopener"));
    bubble.append(img);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.href = fileUrl(message.document.file_id, true);
    link.download = message.document.name;
    link.innerHTML =
      '<span class="file-icon"><svg viewBox="0 0 24 24"><path d="M12 16l-5-5h3V4h4v7h3zm-7 2h14v2H5z"/></svg></span>';
    const info = document.createElement("span");
    const name = document.createElement("div");
    name.className = "file-name";
    name.textContent = message.document.name;
    const bytes = document.createElement("div");
    bytes.className = "file-size";
    bytes.textContent = size(message.document.size);
    info.append(name, bytes);
    link.append(info);
    bubble.append(link);
  }
  if (message.voice) {
    const voice = document.createElement("div");
    voice.className = "voice";
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = fileUrl(message.voice.file_id, false);
    const length = document.createElement("span");
    length.textContent = `${Math.floor(message.voice.duration / 60)}:${String(message.voice.duration % 60).padStart(2, "0")}`;
    voice.append(audio, length);
    bubble.append(voice);
  }
  if (message.text) {
    const text = document.createElement("div");
    text.className = "text";
    text.append(renderText(message.text, message.entities));
    bubble.append(text);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.innerHTML = (message.edited ? '<span class="edited">edited</span>' : "") + clock(message.date);
  (bubble.lastElementChild || bubble).append(meta);
  row.append(bubble);
  if (message.buttons && message.buttons.length) row.append(drawKeyboard(message));
  return row;
}

function drawKeyboard(message) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const buttons of message.buttons) {
    const row = document.createElement("div");
    row.className = "krow";
    for (const spec of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = spec.text;
      if (spec.url) button.textContent += " ↗";
      button.addEventListener("click", () => onButton(message.id, spec, button));
      row.append(button);
    }
    keyboard.append(row);
  }
  return keyboard;
}

async function onButton(messageId, spec, button) {
  if (spec.url) {
    window.open(spec.url, "_blank", "noopener");
    return;
  }
  if (spec.copy !== undefined) {
    await copyText(spec.copy);
    toast("Copied to clipboard");
    return;
  }
  button.classList.add("pending");
  setTimeout(() => button.classList.remove("pending"), 8000);
  try {
    await post("/api/press", { user: me, message: messageId, data: spec.data });
  } catch (error) {
    button.classList.remove("pending");
    toast("This button no longer works");
  }
}

function upsert(message) {
  const stick = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const row = drawMessage(message);
  const existing = messages.get(message.id);
  if (existing) {
    existing.replaceWith(row);
  } else {
    const later = [...messages.keys()].filter((id) => id > message.id).sort((a, b) => a - b)[0];
    if (later !== undefined) messages.get(later).before(row);
    else chat.append(row);
    if (!message.out) stopTyping();
  }
  messages.set(message.id, row);
  if (stick || message.out || !existing) chat.scrollTop = chat.scrollHeight;
}

// -- status, toasts, commands ------------------------------------------------------------------

function showTyping(action) {
  const words = { typing: "typing…", upload_document: "sending a file…", upload_photo: "sending a photo…", record_voice: "recording…" };
  const status = $("status");
  status.textContent = words[action] || "typing…";
  status.classList.add("typing");
  clearTimeout(typingTimer);
  // Telegram shows an action for 5 seconds or until the next message.
  typingTimer = setTimeout(stopTyping, 5000);
}

function stopTyping() {
  clearTimeout(typingTimer);
  const status = $("status");
  status.textContent = "bot";
  status.classList.remove("typing");
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => (box.hidden = true), 2500);
}

function onAnswer(answer) {
  document.querySelectorAll(".keyboard button.pending").forEach((b) => b.classList.remove("pending"));
  if (answer.url) window.open(answer.url, "_blank", "noopener");
  if (!answer.text) return;
  if (answer.alert) {
    $("alert-text").textContent = answer.text;
    $("alert").showModal();
  } else {
    toast(answer.text);
  }
}

async function toggleCommands() {
  const box = $("commands");
  if (!box.hidden) {
    box.hidden = true;
    $("menu").setAttribute("aria-expanded", "false");
    return;
  }
  const response = await fetch(`/api/commands?user=${me}`);
  const { commands } = await response.json();
  box.replaceChildren();
  for (const command of commands) {
    const item = document.createElement("button");
    item.type = "button";
    const name = document.createElement("span");
    name.className = "cmd";
    name.textContent = `/${command.command}`;
    const description = document.createElement("span");
    description.className = "desc";
    description.textContent = command.description;
    item.append(name, description);
    item.addEventListener("click", () => {
      box.hidden = true;
      send(`/${command.command}`);
    });
    box.append(item);
  }
  box.hidden = commands.length === 0;
  $("menu").setAttribute("aria-expanded", String(!box.hidden));
}

// -- sending ------------------------------------------------------------------------------------

async function send(text) {
  if (!text.trim()) return;
  try {
    await post("/api/send", { user: me, text });
  } catch (error) {
    toast(String(error.message || error));
  }
}

function updateComposer() {
  const recordNow = input.value.trim() === "" && Boolean($("mic").dataset.enabled);
  $("send").hidden = recordNow;
  $("mic").hidden = !recordNow;
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
}

let recorder = null;
let recordStart = 0;
let recordTimer = null;

function recordingType() {
  for (const type of ["audio/ogg;codecs=opus", "audio/webm;codecs=opus"]) {
    if (window.MediaRecorder && MediaRecorder.isTypeSupported(type)) return type;
  }
  return null;
}

async function toggleRecording() {
  if (recorder) {
    recorder.stop();
    return;
  }
  const type = recordingType();
  if (!type || !navigator.mediaDevices) {
    toast("This browser cannot record Opus audio");
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    toast("No microphone, or permission refused");
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream, { mimeType: type });
  let cancelled = false;
  recorder.ondataavailable = (event) => chunks.push(event.data);
  recorder.onstop = async () => {
    stream.getTracks().forEach((track) => track.stop());
    clearInterval(recordTimer);
    $("recording").hidden = true;
    $("mic").classList.remove("is-recording");
    recorder = null;
    if (cancelled) return;
    const form = new FormData();
    form.append("user", String(me));
    form.append("audio", new Blob(chunks, { type }), type.startsWith("audio/ogg") ? "voice.ogg" : "voice.webm");
    const response = await fetch("/api/voice", { method: "POST", body: form });
    if (!response.ok) toast(await response.text());
  };
  $("recording-cancel").onclick = () => {
    cancelled = true;
    recorder.stop();
  };
  recorder.start();
  recordStart = Date.now();
  $("recording").hidden = false;
  $("mic").classList.add("is-recording");
  recordTimer = setInterval(() => {
    const seconds = Math.floor((Date.now() - recordStart) / 1000);
    $("recording-time").textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }, 250);
}

// -- theme and start-up ---------------------------------------------------------------------------

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function toggleTheme() {
  const dark =
    document.documentElement.dataset.theme === "dark" ||
    (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);
  const theme = dark ? "light" : "dark";
  localStorage.setItem("debrief-demo-theme", theme);
  applyTheme(theme);
}

function connect() {
  source = new EventSource(`/api/events?user=${me}`);
  source.addEventListener("reset", (event) => {
    for (const row of messages.values()) row.remove();
    messages.clear();
    for (const message of JSON.parse(event.data).messages) upsert(message);
    document.body.dataset.ready = "true";
  });
  source.addEventListener("message", (event) => upsert(JSON.parse(event.data)));
  source.addEventListener("action", (event) => showTyping(JSON.parse(event.data).action));
  source.addEventListener("answer", (event) => onAnswer(JSON.parse(event.data)));
  source.onerror = () => {
    $("status").textContent = "connecting…";
  };
  source.onopen = () => stopTyping();
}

async function start() {
  applyTheme(localStorage.getItem("debrief-demo-theme"));
  const language = (navigator.language || "en").slice(0, 2);
  const session = await post("/api/session", { user: userId(), name: "You", language });
  me = session.user;
  $("bot-name").textContent = session.bot.name;
  document.title = `${session.bot.name} · local demo`;
  if (session.voice && recordingType()) $("mic").dataset.enabled = "true";
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    updateComposer();
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  input.addEventListener("input", updateComposer);
  $("menu").addEventListener("click", toggleCommands);
  $("mic").addEventListener("click", toggleRecording);
  $("theme").addEventListener("click", toggleTheme);
  updateComposer();
  connect();
  if (messages.size === 0 && !sessionStorage.getItem("debrief-demo-started")) {
    sessionStorage.setItem("debrief-demo-started", "1");
    send("/start");
  }
}

start().catch((error) => {
  $("status").textContent = `cannot reach the demo: ${error.message || error}`;
});
