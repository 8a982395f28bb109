// Select all rows of the inbox page for a bulk action.
document.addEventListener("change", function (e) {
  if (e.target.id !== "select-all") return;
  document.querySelectorAll("input[name=numbers]").forEach((i) => { i.checked = e.target.checked; });
});

// Keyboard shortcuts for agents: r reply, n note, j/k move through the inbox, Enter opens,
// / searches, ? shows them all.
(function () {
  function typing(e) {
    const t = e.target;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }
  function focusComposer(kind) {
    const radio = document.querySelector(`.composer input[name=kind][value=${kind}]`);
    if (!radio) return false;
    radio.checked = true;
    document.getElementById("body").focus();
    return true;
  }
  function showDialog(id) {
    const dialog = document.getElementById(id);
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }
  document.addEventListener("click", (e) => {
    const opener = e.target.closest("[data-open-dialog]");
    if (opener) showDialog(opener.dataset.openDialog);
  });
  let row = -1;
  // The inbox remembers the tickets it lists, so j/k on a ticket page open the next or
  // previous one of that list (this tab only).
  function remember() {
    const links = document.querySelectorAll("#ticket-list tr[data-ticket] a[href*='/tickets/']");
    if (links.length) sessionStorage.setItem("frontline-list", JSON.stringify(Array.from(links, (a) => a.pathname)));
  }
  remember();
  document.addEventListener("click", (e) => { if (e.target.closest("#ticket-list a")) remember(); });
  function step(by) {
    if (!document.body.dataset.ticketId) return false;
    const list = JSON.parse(sessionStorage.getItem("frontline-list") || "[]");
    const here = list.indexOf(location.pathname);
    const next = here < 0 ? null : list[here + by];
    if (!next) return false;
    location.assign(next);
    return true;
  }
  function move(step) {
    const rows = Array.from(document.querySelectorAll("table.tickets tbody tr[data-ticket]"));
    if (!rows.length) return false;
    rows.forEach((r) => r.classList.remove("selected"));
    row = Math.max(0, Math.min(rows.length - 1, row + step));
    rows[row].classList.add("selected");
    rows[row].querySelector("a").focus();
    remember(); // the list may have changed live since the page loaded
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    const done =
      (e.key === "r" && focusComposer("reply")) ||
      (e.key === "n" && focusComposer("note")) ||
      (e.key === "j" && (step(1) || move(1))) ||
      (e.key === "k" && (step(-1) || move(-1))) ||
      (e.key === "/" && document.getElementById("q") && (document.getElementById("q").focus(), true)) ||
      (e.key === "?" && showDialog("shortcuts-help"));
    if (done) e.preventDefault();
  });
  // One-click links (survey ratings): the emailed link opens a page whose form sends
  // itself, so a person's click counts while mail scanners that only fetch the page don't.
  const auto = document.querySelector("form[data-autosubmit]");
  if (auto && !sessionStorage.getItem(auto.action)) {
    sessionStorage.setItem(auto.action, "1"); // once: "back" must not submit again
    auto.submit();
  }
  document.documentElement.dataset.appReady = "1"; // for the browser tests
})();

// Live updates: a websocket per page (data-live on <body>). Change notices refresh the
// inbox list and counts, or the ticket's timeline and properties, without a reload.
// On a ticket page the socket also carries presence: who else is viewing or typing.
(function () {
  const path = document.body.dataset.live;
  if (!path) return;
  const ticketId = Number(document.body.dataset.ticketId || 0);
  const others = new Map(); // user id -> {name, state}
  let socket = null;
  let retry = 1000;

  // A burst of change notices makes one refresh at a time plus at most one after it, so
  // a busy desk does not fetch the page once per notice.
  let running = null;
  let queued = null;
  function refresh(ids) {
    if (!running) {
      running = load(ids).finally(() => {
        running = null;
        if (queued) { const next = queued; queued = null; refresh(Array.from(next)); }
      });
    } else {
      queued = queued || new Set();
      ids.forEach((id) => queued.add(id));
    }
  }

  // Django masks the CSRF token differently on every render; it is not a change.
  const withoutTokens = (el) => el.outerHTML.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");

  async function load(ids) {
    const response = await fetch(location.href, { headers: { "X-Requested-With": "live" } });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ids) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (!now || !next) continue;
      // Leave a part alone when nothing in it changed: a button under the agent's pointer
      // stays the same button.
      if (withoutTokens(now) === withoutTokens(next)) continue;
      // Never overwrite a form the agent is editing.
      if (now.contains(document.activeElement) && document.activeElement !== document.body) continue;
      // Keep the tickets the agent ticked for a bulk action.
      const ticked = new Set(Array.from(now.querySelectorAll("input[name=numbers]:checked"), (i) => i.value));
      next.querySelectorAll("input[name=numbers]").forEach((i) => { i.checked = ticked.has(i.value); });
      // And status lines such as "Saved" that this page wrote.
      now.querySelectorAll("[data-keep][id]").forEach((el) => {
        const twin = next.querySelector(`#${el.id}`);
        if (twin) twin.textContent = el.textContent;
      });
      now.replaceWith(next);
    }
  }

  // A notice for this member (a chat routed to them): shown on whatever page is open,
  // counted in the tab's title while it is hidden, and as a desktop notification when
  // the agent allowed them (the Chats page asks).
  const title = document.title;
  let unseen = 0;
  function announce(n) {
    let box = document.getElementById("member-notices");
    if (!box) {
      box = document.createElement("div");
      box.id = "member-notices";
      box.className = "toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "assertive");
      document.body.appendChild(box);
    }
    const item = document.createElement("p");
    item.className = "toast";
    const link = document.createElement("a");
    link.href = n.url;
    link.textContent = n.text;
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", () => item.remove());
    item.append(link, " ", dismiss);
    box.appendChild(item);
    if (document.hidden) {
      unseen += 1;
      document.title = `(${unseen}) ${title}`;
      if ("Notification" in window && Notification.permission === "granted") {
        const note = new Notification("Frontline", { body: n.text, tag: n.tag });
        note.onclick = () => { window.focus(); location.href = n.url; };
      }
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && unseen) { unseen = 0; document.title = title; }
  });
  const alerts = document.getElementById("enable-alerts");
  if (alerts && "Notification" in window && Notification.permission === "default") {
    alerts.hidden = false;
    alerts.addEventListener("click", async () => {
      alerts.hidden = (await Notification.requestPermission()) !== "default";
    });
  }

  function showPresence() {
    const box = document.getElementById("presence");
    if (!box) return;
    const parts = [];
    for (const { name, state } of others.values()) {
      parts.push(state === "typing" ? `${name} is typing a reply…` : `${name} is viewing`);
    }
    box.textContent = parts.join(" · ");
    box.hidden = parts.length === 0;
  }

  function onMessage(event) {
    const data = JSON.parse(event.data);
    if (data.kind === "presence") {
      if (data.state === "left") others.delete(data.user_id);
      else others.set(data.user_id, { name: data.name, state: data.state });
      showPresence();
    } else if (data.kind === "notice") {
      announce(data);
    } else if (data.kind === "change") {
      if (!ticketId) {
        // Pages without live parts (settings, knowledge base) only listen for notices.
        const parts = (document.body.dataset.liveParts ?? "ticket-list view-list").split(" ").filter(Boolean);
        if (parts.length) refresh(parts);
      } else if (data.id === ticketId) {
        refresh(["timeline", "ticket-meta", "sidebar"]);
        const notice = document.getElementById("live-notice");
        const body = document.getElementById("body");
        if (notice && body && body.value.trim() && data.changes.includes("reply")) {
          notice.textContent = "Someone else just replied: read it before you send.";
          notice.hidden = false;
        }
      }
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.addEventListener("open", () => {
      retry = 1000;
      document.documentElement.dataset.socket = "open";
    });
    // Say we are still here (the chat routes conversations to agents who are).
    const beat = setInterval(() => {
      if (socket.readyState === 1) socket.send(JSON.stringify({ heartbeat: 1 }));
    }, 30000);
    socket.addEventListener("close", () => clearInterval(beat));
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", (e) => {
      document.documentElement.dataset.socket = "closed";
      if (e.code === 4403) return; // not allowed: do not retry
      others.clear();
      showPresence();
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }
  connect();

  // Tell the others when this agent types, and when they stop (5 s without a key).
  const body = document.getElementById("body");
  if (ticketId && body) {
    let typing = false;
    let idle = null;
    const send = (state) => socket && socket.readyState === 1 && socket.send(JSON.stringify({ presence: state }));
    body.addEventListener("input", () => {
      if (!typing) { typing = true; send("typing"); }
      clearTimeout(idle);
      idle = setTimeout(() => { typing = false; send("viewing"); }, 5000);
    });
  }
})();

// Composer: drop files onto the form to attach them; insert a macro's text at the cursor.
(function () {
  const zone = document.getElementById("composer");
  const input = document.getElementById("attachments");
  const list = document.getElementById("attachment-list");
  if (!zone || !input) return;
  function show() {
    list.replaceChildren(...Array.from(input.files, (f) => {
      const li = document.createElement("li");
      li.textContent = `${f.name} (${Math.ceil(f.size / 1024)} KB)`;
      return li;
    }));
  }
  input.addEventListener("change", show);
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    const all = new DataTransfer();
    for (const f of input.files) all.items.add(f);
    for (const f of e.dataTransfer.files) all.items.add(f);
    input.files = all.files;
    show();
  });
  const macro = document.getElementById("insert-macro");
  const body = document.getElementById("body");
  // "Use this reply" from a similar solved ticket: into the composer, as a reply.
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-insert-reply]");
    if (!button || !body) return;
    const reply = document.querySelector(".composer input[name=kind][value=reply]");
    if (reply) reply.checked = true;
    body.value = body.value.trim() ? `${body.value}\n\n${button.dataset.insertReply}` : button.dataset.insertReply;
    body.focus();
    body.dispatchEvent(new Event("input"));
  });
  if (macro && body) {
    macro.addEventListener("change", () => {
      if (!macro.value) return;
      const at = body.selectionStart ?? body.value.length;
      body.value = body.value.slice(0, at) + macro.value + body.value.slice(body.selectionEnd ?? at);
      macro.value = "";
      body.focus();
      body.dispatchEvent(new Event("input"));
    });
  }
})();

// Ticket properties save as soon as they change (no reload, so a draft reply is kept).
// On an error the sidebar comes back with the message next to the field.
// Listening on the document keeps working after the sidebar is replaced; the status line
// is looked up each time because a live refresh may have replaced it meanwhile.
(function () {
  const say = (text) => {
    const state = document.getElementById("save-state");
    if (state) state.textContent = text;
  };
  document.addEventListener("change", async (e) => {
    const form = e.target.closest("#sidebar form.properties");
    if (!form) return;
    say("Saving…");
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { "X-Requested-With": "live" },
    });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const swap = (id) => {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next) now.replaceWith(next);
    };
    swap("timeline");
    swap("ticket-meta");
    if (response.ok) {
      // What the sidebar now shows, so the next change is compared with it.
      const shown = fresh.querySelector("#sidebar input[name=shown]");
      const mine = form.querySelector("input[name=shown]");
      if (shown && mine) mine.value = shown.value;
      say("Saved");
      return;
    }
    const focused = document.activeElement && document.activeElement.id;
    swap("sidebar");
    if (focused) document.getElementById(focused)?.focus();
  });
})();

// A button with data-confirm asks before it acts (deleting, say).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
