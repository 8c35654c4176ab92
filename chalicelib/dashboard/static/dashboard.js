// Herald's dashboard: a little progressive enhancement, no library.
//
// Pages are rendered on the server; this file only
//  - sends <form data-api="METHOD /path"> to the JSON API with the session's
//    CSRF token, and shows the answer (the API validates and refuses, not this);
//  - copies text for [data-copy] buttons;
//  - filters, searches and sorts the monitors table, and refreshes its
//    statuses from /dashboard/status.json every 15 s.
"use strict";

(function () {
  const root = document.querySelector('meta[name="herald-root"]')?.content || "";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  function fieldValue(input) {
    if (input.type === "checkbox") return input.checked;
    if (input.type === "number" || input.dataset.number !== undefined) {
      return input.value === "" ? null : Number(input.value);
    }
    if (input.dataset.list !== undefined) {
      return input.value.split(",").map((s) => s.trim()).filter((s) => s);
    }
    if (input.dataset.json !== undefined) return input.value.trim() ? JSON.parse(input.value) : null;
    return input.value;
  }

  function formBody(form) {
    let body = form.dataset.base ? JSON.parse(form.dataset.base) : {};
    for (const input of form.querySelectorAll("[name]")) {
      if (input.dataset.skip !== undefined) continue;
      const value = fieldValue(input);
      if (input.dataset.merge !== undefined) {
        body = Object.assign(body, value || {});
      } else if (value === null || value === "") {
        if (input.dataset.keepEmpty === undefined) delete body[input.name];
        else body[input.name] = value;
      } else {
        body[input.name] = value;
      }
    }
    return body;
  }

  function say(form, text, ok) {
    const out = form.querySelector("[data-result]") || form.parentElement.querySelector("[data-result]");
    if (!out) return;
    out.textContent = text;
    out.className = ok ? "notice" : "error";
  }

  async function send(form) {
    const [method, path] = form.dataset.api.split(" ");
    let body;
    try {
      body = method === "DELETE" && form.dataset.body === undefined ? undefined : formBody(form);
    } catch (error) {
      say(form, "Not JSON: " + error.message, false);
      return;
    }
    const reply = await fetch(root + path, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let answer = {};
    try { answer = await reply.json(); } catch (ignored) { answer = {}; }
    if (!reply.ok) {
      say(form, answer.Message || reply.status + " " + reply.statusText, false);
      return;
    }
    const shown = form.dataset.show;
    if (shown) {
      const value = answer[shown];
      const text = typeof value === "object" ? JSON.stringify(value, null, 1) : String(value);
      say(form, (form.dataset.showLabel || "") + text, true);
      return;
    }
    if (form.dataset.go) { window.location.assign(root + form.dataset.go); return; }
    say(form, form.dataset.done || "Done.", true);
    if (form.dataset.reload !== undefined) window.location.reload();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.dataset.api) return;
    event.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    send(form).catch((error) => say(form, "Not sent: " + error.message, false));
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const label = button.textContent;
    const done = (text) => {
      button.textContent = text;
      window.setTimeout(() => { button.textContent = label; }, 2000);
    };
    if (!navigator.clipboard) { done("Select and copy"); return; }
    navigator.clipboard.writeText(source.textContent.trim()).then(
      () => done("Copied"), () => done("Not copied"));
  });

  // ---- the monitors table ----------------------------------------------------------

  const table = document.getElementById("monitors");
  if (!table) return;
  const rows = () => Array.from(table.tBodies[0].rows);
  const controls = {
    status: document.getElementById("filter-status"),
    tag: document.getElementById("filter-tag"),
    search: document.getElementById("search"),
    sort: document.getElementById("sort"),
  };

  function apply() {
    const status = controls.status.value, tag = controls.tag.value;
    const words = controls.search.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows()) {
      const visible = (!status || row.dataset.status === status)
        && (!tag || row.dataset.tags.split(" ").includes(tag))
        && (!words || row.dataset.name.toLowerCase().includes(words));
      row.hidden = !visible;
      shown += visible ? 1 : 0;
    }
    document.getElementById("shown").textContent = shown;
    const key = controls.sort.value;
    const sorted = rows().sort((a, b) => {
      const x = a.dataset[key] || "", y = b.dataset[key] || "";
      return key === "lastPing" ? y.localeCompare(x) : x.localeCompare(y);
    });
    for (const row of sorted) table.tBodies[0].appendChild(row);
  }

  for (const control of Object.values(controls)) control.addEventListener("input", apply);

  function counted(monitors) {
    const counts = {};
    for (const monitor of monitors) counts[monitor.status] = (counts[monitor.status] || 0) + 1;
    const line = document.getElementById("counts");
    line.replaceChildren();
    Object.keys(counts).sort().forEach((status, index) => {
      if (index) line.append(" · ");
      const span = document.createElement("span");
      span.className = "status " + status;
      span.textContent = counts[status] + " " + status;
      line.append(span);
    });
  }

  function note(text) {
    const out = document.getElementById("live");
    out.textContent = text;
    out.className = text ? "error" : "";
  }

  let timer;
  async function refresh() {
    const reply = await fetch(root + "/dashboard/status.json", {
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf },
    });
    if (reply.status === 401 || reply.status === 403) {
      window.clearInterval(timer);  // the session ended: say so rather than look live
      note("Your session has ended: reload the page to sign in again. Statuses are no longer updated.");
      return;
    }
    if (!reply.ok) return;
    const answer = await reply.json();
    const names = new Set(rows().map((row) => row.dataset.name));
    for (const monitor of answer.monitors) {
      const row = table.querySelector(`tr[data-name="${CSS.escape(monitor.name)}"]`);
      if (!row) continue;
      names.delete(monitor.name);
      row.dataset.status = monitor.status;
      row.dataset.rank = monitor.rank;
      row.dataset.lastPing = monitor.last_ping || "";
      const cell = row.querySelector(".status");
      cell.className = "status " + monitor.status;
      cell.textContent = monitor.status;
      row.querySelector(".last-ping").textContent = monitor.last_ping_ago;
      row.querySelector(".deadline").textContent = monitor.next_deadline_in;
    }
    const added = answer.monitors.length - (rows().length - names.size);
    note(added || names.size ? "Monitors were added or deleted since this page was drawn: reload to see them." : "");
    counted(answer.monitors);
    document.getElementById("updated").textContent = answer.time;
    apply();
  }

  apply();
  timer = window.setInterval(() => refresh().catch(() => {}), 15000);
})();
