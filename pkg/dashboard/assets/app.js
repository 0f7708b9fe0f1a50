// kubectl ship dashboard: follows the server's changes, filters the
// overview, counts down holds, and asks before every action. Every piece of
// HTML it inserts was rendered (and escaped) by the server's html/template;
// every other text goes in as textContent.
"use strict";
(() => {
  const body = document.body;
  const csrf = document.querySelector('meta[name="ship-csrf"]').content;
  const byId = (id) => document.getElementById(id);

  // Live: the view's changes, pushed by the server over a WebSocket, opened
  // again a second after it closes, from the version the page holds.
  const handlers = {
    patch: (data) => applyPatch(data),
    reset: (data) => { byId("overview").innerHTML = data.html; },
    release: (data) => {
      for (const [id, html] of Object.entries(data.sections)) {
        const old = byId(id);
        if (!old) continue;
        const next = fragment(html);
        keepTyped(old, next);
        old.replaceWith(next);
      }
    },
  };

  function connect() {
    if (!body.dataset.stream) return;
    const url = new URL(body.dataset.stream, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("v", body.dataset.version);
    const ws = new WebSocket(url);
    ws.onopen = () => setLive("live", "live");
    ws.onclose = () => { setLive("reconnecting", "down"); setTimeout(connect, 1000); };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      const handle = handlers[m.event];
      if (!handle) return;
      handle(m.data);
      body.dataset.version = m.version;
      filter();
      tick();
    };
  }

  function setLive(text, state) {
    const el = byId("live");
    el.textContent = text;
    el.dataset.state = state;
  }

  // keepTyped carries what the user typed into old's inputs (a value other
  // than the one rendered), and the focus, over to the same inputs of next:
  // a live change must not undo a number typed but not yet sent.
  function keepTyped(old, next) {
    for (const input of old.querySelectorAll("input[id]")) {
      const same = next.querySelector("#" + CSS.escape(input.id));
      if (!same) continue;
      if (input.value !== input.defaultValue) same.value = input.value;
      if (document.activeElement === input) queueMicrotask(() => same.focus());
    }
  }

  function fragment(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  // A patch replaces groups whole, replaces or adds rows, and orders the
  // rows of a group (dropping those it leaves out).
  function applyPatch(p) {
    const overview = byId("overview");
    for (const [id, html] of Object.entries(p.groups || {})) {
      const node = fragment(html);
      const old = byId(id);
      if (old) old.replaceWith(node); else overview.appendChild(node);
    }
    const added = {};
    for (const [id, html] of Object.entries(p.rows || {})) {
      const node = fragment(html);
      const old = byId(id);
      if (old) old.replaceWith(node); else added[id] = node;
    }
    for (const [group, ids] of Object.entries(p.order || {})) {
      const tbody = byId(group + "-rows");
      if (!tbody) continue;
      const keep = new Set(ids);
      for (const row of [...tbody.children]) if (!keep.has(row.id)) row.remove();
      for (const id of ids) {
        const row = byId(id) || added[id];
        if (row) tbody.appendChild(row);
      }
    }
  }

  // The overview's search box and needs-attention filter.
  function filter() {
    const search = byId("search");
    if (!search) return;
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const only = byId("attention").checked;
    let attention = 0, shown = 0, total = 0;
    for (const group of document.querySelectorAll("#overview .group")) {
      let visible = 0;
      for (const el of group.querySelectorAll("[data-search]")) {
        const needs = el.hasAttribute("data-attention");
        const text = el.dataset.search;
        const ok = words.every((w) => text.includes(w)) && (!only || needs);
        el.hidden = !ok;
        if (el.tagName === "TR") { total++; if (ok) shown++; }
        if (needs) attention++;
        if (ok) visible++;
      }
      group.classList.toggle("filtered-out", (words.length > 0 || only) && visible === 0);
    }
    byId("attention-count").textContent = attention;
    byId("attention-count").classList.toggle("some", attention > 0);
    const releases = total === 1 ? "release" : "releases";
    byId("summary").textContent = words.length || only ? `${shown} of ${total} ${releases}` : `${total} ${releases}`;
  }

  // Countdowns of the holds, and the age of the Events, from the times the
  // server gave: the page's HTML stays the same while the clock moves.
  const span = (s) => s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor(s % 3600 / 60)}m${s % 60}s`
    : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll("time[data-until]")) {
      el.textContent = span(Math.max(0, Math.round((Date.parse(el.dataset.until) - now) / 1000)));
    }
    for (const el of document.querySelectorAll("time[data-at]")) {
      el.textContent = span(Math.max(0, Math.round((now - Date.parse(el.dataset.at)) / 1000))) + " ago";
    }
  }

  // Actions: the plan first (what the command prints with
  // --dry-run=client), then, once confirmed, the action and its outcome.
  async function post(url, req) {
    try {
      const r = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Ship-Csrf": csrf },
        body: JSON.stringify(req),
      });
      const text = await r.text();
      try { return JSON.parse(text); } catch { return { error: text.trim() || r.statusText }; }
    } catch (err) {
      return { error: String(err) };
    }
  }

  async function act(button) {
    const release = byId("release").dataset;
    const req = { context: release.context, namespace: release.namespace, name: release.name, action: button.dataset.action };
    if (button.dataset.to) req.to = button.dataset.to;
    if (req.action === "scale") req.replicas = parseInt(byId("replicas").value, 10);
    const dialog = byId("confirm"), plan = byId("confirm-plan"), outcome = byId("confirm-outcome");
    const go = byId("confirm-go"), cancel = byId("confirm-cancel");
    byId("confirm-title").textContent = `${button.textContent.trim()}: ${release.name}`;
    byId("confirm-what").textContent = "Planning…";
    plan.textContent = "";
    plan.className = "plan";
    outcome.hidden = true;
    go.disabled = true;
    go.textContent = "Confirm";
    cancel.textContent = "Cancel";
    dialog.showModal();
    const planned = await post("/api/plan", req);
    byId("confirm-what").textContent = planned.command
      ? `${planned.command} in namespace ${release.namespace} of context ${release.context}, with your kubeconfig's credentials. It would change:`
      : "";
    plan.textContent = (planned.output || "") + (planned.error ? `error: ${planned.error}` : "");
    if (planned.error) { plan.className = "plan error"; return; }
    if (!planned.output) plan.textContent = "Nothing to change.";
    go.disabled = false;
    go.onclick = async () => {
      go.disabled = true;
      go.textContent = "Working…";
      const res = await post("/api/run", req);
      outcome.hidden = false;
      outcome.className = res.error ? "outcome error" : "outcome ok";
      outcome.textContent = (res.output || "") + (res.error ? `error: ${res.error}` : "") || "Done.";
      go.textContent = res.error ? "Failed" : "Done";
      cancel.textContent = "Close";
    };
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest("button.act");
    if (button && !button.disabled) act(button);
  });
  byId("confirm-cancel").addEventListener("click", () => byId("confirm").close());
  for (const id of ["search", "attention"]) {
    const el = byId(id);
    if (el) el.addEventListener("input", filter);
  }
  filter();
  tick();
  setInterval(tick, 1000);
  connect();
})();
