/* Frontline chat widget: one <script> tag, no dependencies.

   <script src="https://desk.example.com/static/chat/widget.js" data-frontline-chat="KEY" async></script>

   Lives in a shadow root so the host page's styles neither break it nor are broken by it.
   Talks to the help desk over a websocket, or by polling when websockets are blocked.
   Every text is put on the page as text (never as HTML). */
(function () {
  "use strict";
  const script = document.currentScript || document.querySelector("script[data-frontline-chat]");
  if (!script || window.__frontlineChat) return;
  window.__frontlineChat = true;
  const key = script.dataset.frontlineChat;
  const base = new URL(script.src, location.href);
  const origin = base.origin;
  const storeKey = "frontline-chat:" + key;
  const saved = JSON.parse(localStorage.getItem(storeKey) || "{}");
  let token = saved.token || null;
  let lastId = 0;
  let agentRead = 0;
  let socket = null;
  let polling = false;
  let failures = 0;
  let opened = false;
  let pending = []; // commands waiting for a connection (or the next poll)
  // Messages sent but not yet acknowledged: sent again on a new socket (the server keeps
  // one copy per client_id), so a message in flight when the connection drops is not lost.
  const unacked = new Map();
  let settings = { bot_name: "Virtual assistant", greeting: "", ask_details: false };
  let state = null;

  // ---- the page -----------------------------------------------------------------------
  const host = document.createElement("div");
  host.id = "frontline-chat";
  const root = host.attachShadow({ mode: "open" });
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("widget.css", base).href;
  root.appendChild(css);
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  };
  const launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "fl-panel" }, "Chat with us");
  const panel = el("section", { class: "panel", id: "fl-panel", role: "dialog", "aria-label": "Chat", hidden: "" });
  const head = el("header", { class: "head" });
  const title = el("h2", { class: "title" }, "Chat");
  const endButton = el("button", { type: "button", class: "link", hidden: "" }, "End chat");
  const close = el("button", { type: "button", class: "close", "aria-label": "Close the chat" }, "×");
  head.append(title, endButton, close);
  const log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const status = el("p", { class: "status", role: "status" });
  const error = el("p", { class: "error", role: "alert", hidden: "" });
  const details = el("form", { class: "details", hidden: "" });
  details.append(
    el("label", { for: "fl-name" }, "Your name"), el("input", { id: "fl-name", name: "name", autocomplete: "name", maxlength: "200" }),
    el("label", { for: "fl-email" }, "Your email"), el("input", { id: "fl-email", name: "email", type: "email", autocomplete: "email", required: "" }),
    el("button", { type: "submit", class: "primary" }, "Start chatting"));
  const emailForm = el("form", { class: "details", hidden: "" });
  emailForm.append(
    el("label", { for: "fl-leave" }, "Your email, for our answer"),
    el("input", { id: "fl-leave", name: "email", type: "email", autocomplete: "email", required: "" }),
    el("button", { type: "submit", class: "primary" }, "Send"));
  const extra = el("div", { class: "extra" });
  const composer = el("form", { class: "composer" });
  const input = el("textarea", { id: "fl-text", rows: "2", maxlength: "2000", "aria-label": "Your message", placeholder: "Write a message…" });
  const fileInput = el("input", { type: "file", id: "fl-file", class: "visually-hidden" });
  // A drawn paperclip: an emoji depends on the visitor's fonts (a box where there is none).
  const attach = el("label", { for: "fl-file", class: "attach", title: "Attach a file" });
  const clip = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  clip.setAttribute("viewBox", "0 0 24 24");
  clip.setAttribute("aria-hidden", "true");
  const clipPath = document.createElementNS("http://www.w3.org/2000/svg", "path");
  clipPath.setAttribute("d", "M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l8-8");
  clip.appendChild(clipPath);
  attach.appendChild(clip);
  attach.appendChild(el("span", { class: "visually-hidden" }, "Attach a file"));
  composer.append(attach, fileInput, input, el("button", { type: "submit", class: "primary" }, "Send"));
  panel.append(head, log, status, error, details, emailForm, extra, composer);
  root.append(launcher); // the panel joins the page when first opened (its forms too)
  (document.body || document.documentElement).appendChild(host);

  // Replies that came while the panel was closed, counted on the launcher.
  let unread = 0;
  function setUnread(n) {
    unread = n;
    launcher.textContent = n ? `Chat with us (${n} new)` : "Chat with us";
    launcher.classList.toggle("unread", n > 0);
  }

  function show(open) {
    if (open) setUnread(0);
    if (open && !panel.isConnected) root.append(panel);
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    sessionStorage.setItem(storeKey + ":open", open ? "1" : "");
    if (open) {
      connect();
      (details.hidden ? input : details.querySelector("input")).focus();
    } else {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", () => show(panel.hidden));
  close.addEventListener("click", () => show(false));
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") show(false); });

  // ---- talking to the server ----------------------------------------------------------
  function send(command) {
    if (command.type === "message" && command.client_id) unacked.set(command.client_id, command);
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(command));
    else pending.push(command);
    if (polling) poll();
  }

  function connect() {
    if (opened) return;
    opened = true;
    if ("WebSocket" in window) openSocket(); else startPolling();
  }

  function openSocket() {
    const scheme = base.protocol === "https:" ? "wss:" : "ws:";
    let wasOpen = false;
    socket = new WebSocket(`${scheme}//${base.host}/ws/chat/${encodeURIComponent(key)}/`);
    socket.addEventListener("open", () => {
      wasOpen = true;
      failures = 0;
      host.dataset.transport = "websocket";
      socket.send(JSON.stringify({ type: "hello", token, after: lastId }));
      const queued = pending; pending = [];
      const inFlight = token ? [...unacked.values()].filter((c) => !queued.includes(c)) : [];
      inFlight.concat(queued).forEach((c) => socket.send(JSON.stringify(c)));
    });
    socket.addEventListener("message", (e) => handle(JSON.parse(e.data)));
    socket.addEventListener("close", (e) => {
      socket = null;
      if (e.code === 4403 || e.code === 4404) { showError(e.reason || "This chat is not available here."); return; }
      if (!wasOpen && ++failures >= 2) { startPolling(); return; }
      setTimeout(openSocket, Math.min(1000 * 2 ** failures, 15000));
    });
  }

  let pollTimer = null;
  let polling_now = false;
  function startPolling() {
    polling = true;
    host.dataset.transport = "polling";
    poll();
  }
  async function poll() {
    if (polling_now) return;
    polling_now = true;
    clearTimeout(pollTimer);
    const commands = pending; pending = [];
    try {
      const response = await fetch(`${origin}/chat/${encodeURIComponent(key)}/poll`, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token, after: lastId, commands: token || commands.length ? commands : [{ type: "hello" }] }),
      });
      const data = await response.json();
      (data.events || []).forEach(handle);
    } catch (err) {
      pending = commands.concat(pending);
      showError("Connection lost; trying again…");
    }
    polling_now = false;
    pollTimer = setTimeout(poll, panel.hidden ? 15000 : 3000);
  }

  // ---- what the server says -----------------------------------------------------------
  function handle(event) {
    switch (event.kind) {
      case "hello":
        settings = event;
        showTitle();
        if (event.token) { token = event.token; localStorage.setItem(storeKey, JSON.stringify({ token })); }
        if (!log.children.length && settings.greeting) addLine("greeting", settings.greeting);
        details.hidden = !(settings.ask_details && !token);
        composer.hidden = !details.hidden;
        break;
      case "message": addMessage(event); break;
      case "ack": acknowledged(event); break;
      case "state": setState(event); break;
      case "read": agentRead = Math.max(agentRead, event.up_to); marks(); break;
      case "typing": status.textContent = event.typing ? `${event.name} is typing…` : describe(state); break;
      case "notice": addLine("notice", event.text); break;
      case "ended": ended(event); break;
      case "error":
        if (event.code === "bad_token") { token = null; localStorage.removeItem(storeKey); }
        showError(event.message);
        break;
    }
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    setTimeout(() => { error.hidden = true; }, 8000);
  }

  function addLine(kind, text) {
    const li = el("li", { class: `line ${kind}` }, text);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function addMessage(m) {
    if (root.getElementById(`m${m.id}`)) return;
    lastId = Math.max(lastId, m.id);
    const li = el("li", { class: `message ${m.author}`, id: `m${m.id}` });
    const who = m.author === "visitor" ? "You" : m.author === "bot" ? settings.bot_name : m.name;
    li.appendChild(el("span", { class: "who" }, who));
    li.appendChild(el("p", { class: "text" }, m.text));
    if (m.citation) {
      const a = el("a", { href: m.citation.url, target: "_blank", rel: "noopener" }, `Read “${m.citation.title}”`);
      li.appendChild(el("p", { class: "citation" })).appendChild(a);
    }
    if (m.answer && m.turn) {
      const ask = el("div", { class: "verdict", role: "group", "aria-label": "Did this answer help?" });
      const yes = el("button", { type: "button" }, "That helped");
      const no = el("button", { type: "button" }, "Talk to a person");
      yes.addEventListener("click", () => { send({ type: "verdict", turn: m.turn, helped: true }); ask.remove(); });
      no.addEventListener("click", () => { send({ type: "verdict", turn: m.turn, helped: false }); ask.remove(); });
      ask.append(yes, no);
      li.appendChild(ask);
    }
    (m.files || []).forEach((f) => {
      const a = el("a", { href: f.url, rel: "noopener" }, `📎 ${f.name} (${Math.ceil(f.size / 1024)} KB)`);
      li.appendChild(el("p", { class: "file" })).appendChild(a);
    });
    if (m.author === "visitor") li.appendChild(el("span", { class: "mark" }, "Delivered"));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    marks();
    if (m.author !== "visitor" && !panel.hidden) send({ type: "read", up_to: m.id });
    else if (m.author !== "visitor") setUnread(unread + 1);
  }

  function acknowledged(a) {
    unacked.delete(a.client_id);
    const mine = root.querySelector(`[data-client="${CSS.escape(String(a.client_id))}"]`);
    if (!mine) return;
    if (root.getElementById(`m${a.id}`)) { mine.remove(); return; }
    mine.id = `m${a.id}`;
    mine.removeAttribute("data-client");
    mine.querySelector(".mark").textContent = "Delivered";
    lastId = Math.max(lastId, a.id);
    marks();
  }

  function marks() {
    root.querySelectorAll(".message.visitor[id]").forEach((li) => {
      if (Number(li.id.slice(1)) <= agentRead) li.querySelector(".mark").textContent = "Read";
    });
  }

  function describe(s) {
    if (!s) return "";
    switch (s.state) {
      case "bot": return "";
      case "waiting": return `Waiting for a person from the team (you are number ${s.position} in line)…`;
      case "active": return `${s.agent} is here to help.`;
      case "offline": return s.has_email
        ? `No one can chat right now. We have your request${s.ticket ? ` (#${s.ticket})` : ""} and will answer you by email.`
        : "No one can chat right now. Leave your email address and we will answer you.";
      case "ended": return "The chat has ended. Write again if you need anything else.";
    }
    return "";
  }

  let waitTimer = null;
  // Who the visitor is talking to: the agent once one joined, the assistant before.
  function showTitle() {
    const who = state && state.state === "active" ? state.agent : settings && settings.bot_name;
    title.textContent = who ? `Chat · ${who}` : "Chat";
  }

  function setState(s) {
    const before = state;
    state = s;
    showTitle();
    agentRead = Math.max(agentRead, s.agent_read || 0);
    marks();
    status.textContent = describe(s);
    if (s.state === "active" && (!before || before.state !== "active" || before.agent !== s.agent)) {
      addLine("notice", `${s.agent} joined the chat.`);
    }
    emailForm.hidden = !(s.state === "offline" && !s.has_email);
    endButton.hidden = !["bot", "waiting", "active"].includes(s.state);
    clearTimeout(waitTimer);
    extra.replaceChildren();
    if (s.state === "waiting") {
      // A long wait: offer to leave an address instead.
      waitTimer = setTimeout(() => {
        const leave = el("button", { type: "button" }, "Do not wait: answer me by email");
        leave.addEventListener("click", () => { emailForm.hidden = false; leave.remove(); emailForm.querySelector("input").focus(); });
        extra.appendChild(leave);
      }, 60000);
    } else if (s.state === "bot" && s.ticket) {
      const person = el("button", { type: "button", class: "link" }, "Talk to a person");
      person.addEventListener("click", () => send({ type: "person" }));
      extra.appendChild(person);
    } else if (s.state === "ended" && s.ticket) {
      extra.appendChild(transcriptOffer(s.has_email));
    }
  }

  // After a chat: the conversation by email, to the address we have or one typed here.
  function transcriptOffer(hasEmail) {
    const box = el("div", { class: "transcript" });
    const ask = el("button", { type: "button", class: "link" }, "Email me this conversation");
    ask.addEventListener("click", () => {
      if (hasEmail) { send({ type: "transcript" }); ask.disabled = true; return; }
      const form = el("form", { class: "details" });
      form.append(
        el("label", { for: "fl-transcript" }, "Your email"),
        el("input", { id: "fl-transcript", name: "email", type: "email", autocomplete: "email", required: "" }),
        el("button", { type: "submit", class: "primary" }, "Send me the conversation"));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        send({ type: "transcript", email: new FormData(form).get("email") });
        form.remove();
      });
      ask.replaceWith(form);
      form.querySelector("input").focus();
    });
    box.appendChild(ask);
    return box;
  }

  function ended(event) {
    if (!event.survey) return;
    const card = el("li", { class: "line rating" });
    card.appendChild(el("p", {}, event.survey.question));
    const row = el("div", { class: "scale", role: "group", "aria-label": event.survey.question });
    event.survey.scale.forEach(([score, label]) => {
      const b = el("button", { type: "button", title: label || String(score) }, String(score));
      b.addEventListener("click", () => {
        send({ type: "rate", score });
        row.querySelectorAll("button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      });
      row.appendChild(b);
    });
    card.appendChild(row);
    log.appendChild(card);
    log.scrollTop = log.scrollHeight;
  }

  // ---- what the visitor does ----------------------------------------------------------
  details.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(details);
    send({ type: "start", name: data.get("name"), email: data.get("email"), page: location.href });
  });
  emailForm.addEventListener("submit", (e) => {
    e.preventDefault();
    send({ type: "email", email: new FormData(emailForm).get("email") });
  });
  endButton.addEventListener("click", () => send({ type: "end" }));

  // A file: sent over HTTP (a websocket is for small messages), once there is a conversation.
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (!file) return;
    if (!token) send({ type: "start", page: location.href });
    for (let i = 0; !token && i < 50; i++) await new Promise((r) => setTimeout(r, 100));
    const li = el("li", { class: "message visitor pending" });
    li.append(el("span", { class: "who" }, "You"), el("p", { class: "text" }, `Sending ${file.name}…`), el("span", { class: "mark" }, "Sending…"));
    log.appendChild(li);
    const form = new FormData();
    form.append("token", token || "");
    form.append("file", file);
    try {
      const response = await fetch(`${origin}/chat/${encodeURIComponent(key)}/upload`, { method: "POST", body: form });
      const data = await response.json();
      // The message itself (with its link) arrives like any other, pushed or polled.
      li.remove();
      (data.events || []).forEach((e) => { if (e.kind === "error") handle(e); });
      if (polling) poll();
    } catch (err) {
      li.remove();
      showError("The file could not be sent; try again.");
    }
  });

  let typingTimer = null;
  let typing = false;
  input.addEventListener("input", () => {
    if (!token) return; // nobody to tell before the conversation starts
    if (!typing) { typing = true; send({ type: "typing", typing: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing = false; send({ type: "typing", typing: false }); }, 4000);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); composer.requestSubmit(); }
  });
  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!token) send({ type: "start", page: location.href });
    const clientId = `c${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
    const li = el("li", { class: "message visitor", "data-client": clientId });
    li.append(el("span", { class: "who" }, "You"), el("p", { class: "text" }, text), el("span", { class: "mark" }, "Sending…"));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    send({ type: "message", text, client_id: clientId });
    input.value = "";
    typing = false;
  });

  if (sessionStorage.getItem(storeKey + ":open")) show(true);
  else if (token) connect(); // keep the conversation live (and history) after a reload
})();
