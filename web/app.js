// svp serve: the officer's page.  The form is built from GET /api/form (the
// policy's record declaration, described by the library): no field is
// written here by name.  Every value from a record or a policy reaches the
// page through textContent, never as HTML.
"use strict";

let desc = null;          // the record declaration: fields, decisions, rules
let controls = [];        // one per record field: {field, get(), set(v), mark(required)}
let evalTimer = null;
let evalSeq = 0;

// ---- Small helpers ----------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

// "social_value" -> "Social value", the words of a name as a person reads them.
function humanise(name) {
  const s = String(name).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function labelOf(field) {
  return field.label || humanise(field.path.split(".").pop());
}

function fieldByPath(path) {
  return desc.fields.find((f) => f.path === path);
}

function idFor(path) { return "f-" + path.replace(/[^A-Za-z0-9_-]/g, "-"); }

async function api(method, path, body, type) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = type || "application/json";
    opts.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
  return { ok: res.ok, status: res.status, data };
}

function getPath(obj, path) {
  let v = obj;
  for (const k of path.split(".")) {
    if (v === null || typeof v !== "object" || !(k in v)) return undefined;
    v = v[k];
  }
  return v;
}

function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
}

// ---- The form, built from the declaration ------------------------------------

// A control for one field: its element, how to read and set its value
// (undefined: not given), and how to mark it required.
function makeControl(field, idBase) {
  const id = idFor(idBase);
  const label = labelOf(field);
  const mark = el("span", { class: "req-mark", text: "required", hidden: true });
  const help = field.help ? el("p", { class: "help", id: id + "-help", text: field.help }) : null;
  const wrap = el("div", { class: "field" });
  let get, set, focusable;

  if (field.type === "boolean" && !field.list) {
    const fs = el("fieldset", { "aria-describedby": help ? id + "-help" : null });
    fs.append(el("legend", {}, document.createTextNode(label), mark));
    const choices = el("div", { class: "choices" });
    const radios = {};
    for (const [value, text] of [["true", "Yes"], ["false", "No"], ["", "Not known"]]) {
      const rid = id + "-" + (value || "unknown");
      const r = el("input", { type: "radio", name: id, id: rid, value });
      if (value === "") r.checked = true;
      radios[value] = r;
      choices.append(el("label", { for: rid }, r, document.createTextNode(" " + text)));
    }
    fs.append(choices);
    if (help) fs.append(help);
    wrap.append(fs);
    get = () => { const c = Object.values(radios).find((r) => r.checked); return c && c.value ? c.value === "true" : undefined; };
    set = (v) => { radios[v === true ? "true" : v === false ? "false" : ""].checked = true; };
    focusable = radios["true"];
  } else if (field.type === "enum" && field.list) {
    const fs = el("fieldset", { "aria-describedby": help ? id + "-help" : null });
    fs.append(el("legend", {}, document.createTextNode(label), mark));
    const choices = el("div", { class: "choices" });
    const boxes = field.values.map((v) => {
      const cid = id + "-" + v;
      const b = el("input", { type: "checkbox", id: cid, value: v });
      choices.append(el("label", { for: cid }, b, document.createTextNode(" " + humanise(v))));
      return b;
    });
    fs.append(choices);
    if (help) fs.append(help);
    wrap.append(fs);
    get = () => { const a = boxes.filter((b) => b.checked).map((b) => b.value); return a.length ? a : undefined; };
    set = (v) => { for (const b of boxes) b.checked = Array.isArray(v) && v.includes(b.value); };
    focusable = boxes[0];
  } else if (field.type === "object" && field.list) {
    const fs = el("fieldset", { "aria-describedby": help ? id + "-help" : null });
    fs.append(el("legend", {}, document.createTextNode(label), mark));
    if (help) fs.append(help);
    const rows = el("div", { class: "rows" });
    const items = [];
    let counter = 0;
    const noun = humanise(field.object).toLowerCase();
    const addRow = (value) => {
      const n = ++counter;
      const row = el("div", { class: "row", role: "group", "aria-label": humanise(field.object) + " " + n });
      const members = field.members.map((m) => makeControl(m, idBase + "-" + n + "-" + m.path));
      for (const m of members) { row.append(m.wrap); m.mark(m.field.required); }
      const item = { row, members };
      const remove = el("button", { type: "button", class: "secondary", text: "Remove this " + noun });
      remove.addEventListener("click", () => {
        items.splice(items.indexOf(item), 1);
        row.remove();
        add.focus();
        scheduleEvaluate();
      });
      row.append(remove);
      items.push(item);
      rows.append(row);
      if (value) for (const m of members) m.set(getPath(value, m.field.path));
      return item;
    };
    const add = el("button", { type: "button", class: "secondary", text: "Add a " + noun });
    add.addEventListener("click", () => { const it = addRow(null); if (it.members[0].focusable) it.members[0].focusable.focus(); scheduleEvaluate(); });
    fs.append(rows, add);
    wrap.append(fs);
    get = () => {
      const out = [];
      for (const it of items) {
        const o = {};
        for (const m of it.members) { const v = m.get(); if (v !== undefined) setPath(o, m.field.path, v); }
        if (Object.keys(o).length) out.push(o);
      }
      return out.length ? out : undefined;
    };
    set = (v) => {
      for (const it of items.splice(0)) it.row.remove();
      if (Array.isArray(v)) for (const o of v) addRow(o);
    };
    focusable = add;
  } else {
    const describedBy = help ? id + "-help" : null;
    let input;
    if (field.type === "enum") {
      input = el("select", { id, "aria-describedby": describedBy });
      input.append(el("option", { value: "", text: "(not chosen)" }));
      for (const v of field.values) input.append(el("option", { value: v, text: humanise(v) }));
    } else if (field.type === "date") {
      input = el("input", { type: "date", id, "aria-describedby": describedBy });
    } else {
      const hints = { money: "£145,000", percent: "10%", number: "", text: "" };
      input = el("input", {
        type: "text", id, autocomplete: "off", "aria-describedby": describedBy,
        inputmode: field.type === "money" || field.type === "percent" || field.type === "number" ? "decimal" : null,
        placeholder: hints[field.type] || null,
      });
    }
    wrap.append(el("label", { for: id }, document.createTextNode(label), mark), input);
    if (help) wrap.append(help);
    get = () => { const v = input.value.trim(); return v === "" ? undefined : v; };
    set = (v) => { input.value = v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v); };
    focusable = input;
  }
  return {
    field, wrap, get, set, focusable,
    mark(required) {
      mark.hidden = !required;
      if (focusable && focusable.tagName !== "BUTTON") focusable.setAttribute("aria-required", required ? "true" : "false");
    },
  };
}

function buildForm() {
  const root = document.getElementById("fields");
  clear(root);
  controls = [];
  const groups = {};
  for (const f of desc.fields) {
    const c = makeControl(f, f.path);
    controls.push(c);
    const dot = f.path.indexOf(".");
    if (dot < 0) { root.append(c.wrap); continue; }
    const key = f.path.slice(0, dot);
    if (!groups[key]) {
      groups[key] = el("fieldset", {}, el("legend", { text: humanise(key) }));
      root.append(groups[key]);
    }
    groups[key].append(c.wrap);
  }
  markRequired();
}

// The stage chosen, as its position in the stage enumeration (-1: none).
function stageRank() {
  if (!desc.stage_field) return -1;
  const stage = controls.find((c) => c.field.path === desc.stage_field);
  const v = stage ? stage.get() : undefined;
  return v === undefined ? -1 : fieldByPath(desc.stage_field).values.indexOf(v);
}

function requiredNow(f, rank) {
  if (f.required) return true;
  if (!f.required_from || rank < 0) return false;
  return rank >= fieldByPath(desc.stage_field).values.indexOf(f.required_from);
}

function markRequired() {
  const rank = stageRank();
  for (const c of controls) c.mark(requiredNow(c.field, rank));
}

function collectRecord() {
  const rec = {};
  for (const c of controls) {
    const v = c.get();
    if (v !== undefined) setPath(rec, c.field.path, v);
  }
  return rec;
}

function fillRecord(rec) {
  for (const c of controls) c.set(getPath(rec, c.field.path));
  markRequired();
}

// ---- The answer ------------------------------------------------------------------

function scheduleEvaluate() {
  markRequired();
  clearTimeout(evalTimer);
  evalTimer = setTimeout(evaluate, 250);
}

async function evaluate() {
  const seq = ++evalSeq;
  const res = await api("POST", "/api/evaluate", collectRecord());
  if (seq === evalSeq) showResult(res.data);
}

function fieldLabel(path) {
  const top = desc.fields.find((f) => path === f.path || path.startsWith(f.path + "[") || path.startsWith(f.path + "."));
  return top ? labelOf(top) + (top.path === path ? "" : " (" + path + ")") : path;
}

function showResult(r) {
  const verdict = document.getElementById("verdict");
  const findings = document.getElementById("findings");
  const checklist = document.getElementById("checklist");
  const decisions = document.getElementById("decisions");
  clear(findings); clear(checklist); clear(decisions);
  let kind, text;
  if (r.error && !("compliant" in r)) { kind = "invalid"; text = "Not yet a valid record"; }
  else if (r.compliant === true) { kind = "compliant"; text = "Compliant"; }
  else if (r.compliant === false) { kind = "non-compliant"; text = "Non-compliant"; }
  else { kind = "incomplete"; text = "Incomplete: some rules wait for missing fields"; }
  verdict.className = "verdict " + kind;
  verdict.textContent = text;
  verdict.dataset.verdict = kind;
  const pol = r.policy || {};
  document.getElementById("version-in-force").textContent =
    pol.name ? "Under " + pol.name + " version " + pol.version + ", the version in force on the record's date." : "";

  for (const f of r.findings || []) {
    const li = el("li", { "data-rule": f.rule });
    li.append(el("span", { class: "sev sev-" + f.severity, text: f.severity }), document.createTextNode(f.message));
    li.append(el("span", { class: "cite", text: (f.cite ? "Policy clause: " + f.cite + " · " : "") + "rule " + f.rule }));
    findings.append(li);
  }
  if (!(r.findings || []).length) findings.append(el("li", { text: r.error && !("compliant" in r) ? "None until the record is valid." : "None." }));

  // The checklist: what the record lacks and the rules that wait for it.
  const items = [];
  for (const e of r.errors || (r.error ? [r.error] : [])) items.push({ field: e.field, text: fieldLabel(e.field || "") + ": " + e.message });
  for (const m of r.missing || []) {
    const path = typeof m === "string" ? m : m.field;
    items.push({ field: path, text: fieldLabel(path) + ": missing" + (typeof m === "object" && m.message ? " (" + m.message + ")" : "") });
  }
  for (const u of r.undecided || []) {
    const rule = desc.rules.find((x) => x.id === u.rule);
    const where = rule && rule.cite ? " (" + rule.cite + ")" : "";
    items.push({ rule: u.rule, text: "Rule " + u.rule + where + " waits for: " + (u.needs || []).map(fieldLabel).join(", ") });
  }
  if (!r.missing) {
    const rank = stageRank();
    const rec = collectRecord();
    for (const f of desc.fields)
      if (requiredNow(f, rank) && getPath(rec, f.path) === undefined && !items.some((i) => i.field === f.path))
        items.push({ field: f.path, text: labelOf(f) + ": required at this stage" });
  }
  for (const it of items) {
    const li = el("li", { "data-field": it.field || null, "data-rule": it.rule || null, text: it.text });
    checklist.append(li);
  }
  if (!items.length) checklist.append(el("li", { text: "Nothing: every field this stage needs is given." }));

  const titles = {};
  for (const d of desc.decisions) titles[d.name] = d.title;
  for (const [name, value] of Object.entries(r.decisions || {})) {
    decisions.append(el("dt", { text: titles[name] || humanise(name) }));
    decisions.append(el("dd", { "data-decision": name, text: decisionText(value) }));
  }
}

// ---- Saving and history --------------------------------------------------------------

async function save(event) {
  event.preventDefault();
  const status = document.getElementById("save-status");
  status.textContent = "Saving…";
  const res = await api("POST", "/api/records", collectRecord());
  if (!res.ok) { status.textContent = "Not saved: " + res.data.error; return; }
  status.textContent = "Saved " + res.data.id + " as revision " + res.data.revision + " (" + res.data.verdict + ").";
  showResult(res.data.result);
  loadHistory(res.data.id);
}

async function loadHistory(id) {
  const res = await api("GET", "/api/records/" + encodeURIComponent(id));
  const box = document.getElementById("history");
  const rows = document.getElementById("history-rows");
  clear(rows);
  if (!res.ok) { box.hidden = true; return null; }
  for (const e of res.data.decision_log) {
    rows.append(el("tr", {},
      el("td", { text: String(e.revision) }), el("td", { text: e.time }),
      el("td", { text: e.policy.name + " " + e.policy.version }), el("td", { text: e.verdict }),
      el("td", { class: "hash", text: e.policy.sha256 })));
  }
  box.hidden = false;
  return res.data;
}

async function openRecord(id) {
  const data = await loadHistory(id);
  if (!data) return;
  const latest = data.revisions[data.revisions.length - 1];
  fillRecord(latest.record);
  document.getElementById("save-status").textContent = "Opened " + id + ", revision " + latest.revision + ". Saving adds a new revision.";
  showView("form");
  evaluate();
  const first = controls[0] && controls[0].focusable;
  if (first) first.focus();
}

// A decision's value as the desk shows it, in the form and in the register.
function decisionText(value) {
  if (value === true) return "Yes";
  if (value === false) return "No";
  if (value === null || value === undefined) return "Not decided yet";
  return Array.isArray(value) ? value.join(", ") : String(value);
}

// ---- The register -------------------------------------------------------------------

// One column per decision the policy declares, after the verdict, headed by
// the decision's title: what a procurement was decided is what the register
// is read for.
function addDecisionColumns() {
  const before = document.getElementById("register-revision-heading");
  for (const d of desc.decisions)
    before.before(el("th", { scope: "col", "data-decision": d.name, text: d.title || humanise(d.name) }));
}

const decisionChoices = new Set();

async function loadRegister(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams();
  const q = document.getElementById("filter-q").value.trim();
  const stage = document.getElementById("filter-stage").value;
  const verdict = document.getElementById("filter-verdict").value;
  const decision = document.getElementById("filter-decision").value;
  if (q) params.set("q", q);
  if (stage) params.set("stage", stage);
  if (verdict) params.set("verdict", verdict);
  if (decision) { const [n, v] = JSON.parse(decision); params.set("decision", n); params.set("value", v); }
  const res = await api("GET", "/api/records?" + params.toString());
  const rows = document.getElementById("register-rows");
  clear(rows);
  if (!res.ok) { rows.append(el("tr", {}, el("td", { colspan: String(7 + desc.decisions.length), text: res.data.error }))); return; }
  const titleField = desc.fields.find((f) => f.type === "text" && !f.list && f.path !== desc.id_field);
  document.getElementById("register-title-heading").textContent = titleField ? labelOf(titleField) : "";
  for (const item of res.data) {
    const r = item.result || {};
    const kind = r.error && !("compliant" in r) ? "invalid" : r.compliant === true ? "compliant" : r.compliant === false ? "non-compliant" : "incomplete";
    const open = el("button", { type: "button", class: "secondary", text: "Open", "aria-label": "Open " + item.id });
    open.addEventListener("click", () => openRecord(item.id));
    rows.append(el("tr", { "data-id": item.id },
      el("td", { text: item.id }),
      el("td", { text: titleField ? String(getPath(item.record, titleField.path) || "") : "" }),
      el("td", { text: desc.stage_field ? String(getPath(item.record, desc.stage_field) || "") : "" }),
      el("td", { text: kind }),
      ...desc.decisions.map((d) => el("td", { "data-decision": d.name, text: item.result ? decisionText((r.decisions || {})[d.name]) : "" })),
      el("td", { text: String(item.revision) }),
      el("td", { text: item.saved_at }),
      el("td", {}, open)));
    for (const [name, value] of Object.entries(r.decisions || {}))
      if (typeof value === "string") addDecisionChoice(name, value);
  }
  document.getElementById("register-count").textContent = res.data.length + " procurement" + (res.data.length === 1 ? "" : "s") + " (latest revisions)";
  loadPortfolio();
}

function addDecisionChoice(name, value) {
  const key = JSON.stringify([name, value]);
  if (decisionChoices.has(key)) return;
  decisionChoices.add(key);
  const d = desc.decisions.find((x) => x.name === name);
  document.getElementById("filter-decision").append(el("option", { value: key, text: ((d && d.title) || humanise(name)) + ": " + value }));
}

async function loadPortfolio() {
  const box = document.getElementById("portfolio");
  clear(box);
  const res = await api("GET", "/api/portfolio");
  if (!res.ok) { box.append(el("p", { text: res.data.error })); return; }
  const p = res.data;
  box.append(el("p", { text: "Over " + p.records + " procurements in the register (" + p.invalid + " invalid, left out), under " + p.policy.name + " " + p.policy.version + "." }));
  const list = el("ul");
  for (const s of p.shares || []) list.append(el("li", { text: s.rule + ": " + s.share + " (" + s.part + " of " + s.total + ", " + s.records + " procurements)" }));
  for (const f of p.findings || []) list.append(el("li", {}, el("span", { class: "sev sev-" + f.severity, text: f.severity }), document.createTextNode(f.message + (f.cite ? " (" + f.cite + ")" : ""))));
  box.append(list);
}

async function importFile(event) {
  event.preventDefault();
  const status = document.getElementById("import-status");
  const file = document.getElementById("import-file").files[0];
  if (!file) { status.textContent = "Choose a file first."; return; }
  const mapping = document.getElementById("import-source").value;
  const path = mapping ? "/api/import?mapping=" + encodeURIComponent(mapping) : "/api/import";
  const csv = /\.csv$/i.test(file.name);
  const res = await api("POST", path, await file.text(), csv ? "text/csv" : "application/json");
  if (!res.ok) { status.textContent = "Not imported: " + res.data.error; loadRegister(); return; }
  const out = res.data.left_out || [];
  status.textContent = "Imported " + res.data.imported + " records." +
    (out.length ? " Left out " + out.length + ": " + out.map((o) => o.item + " (" + o.reason + ")").join("; ") : "");
  loadRegister();
}

// ---- Views and start -------------------------------------------------------------------

function showView(which) {
  const form = which === "form";
  document.getElementById("form-view").hidden = !form;
  document.getElementById("register-view").hidden = form;
  document.getElementById("show-form").setAttribute("aria-pressed", String(form));
  document.getElementById("show-register").setAttribute("aria-pressed", String(!form));
  if (!form) loadRegister();
}

function newRecord() {
  fillRecord({});
  document.getElementById("history").hidden = true;
  document.getElementById("save-status").textContent = "";
  evaluate();
}

async function start() {
  const res = await api("GET", "/api/form");
  desc = res.data;
  document.getElementById("policy-name").textContent = desc.policy.name;
  document.getElementById("policy-versions").textContent = "Versions: " + desc.versions.map((v) => v.version + " (from " + v.effective + ")").join(", ");
  document.title = desc.policy.name + ": the officer's desk";
  buildForm();
  addDecisionColumns();
  for (const m of desc.mappings || []) document.getElementById("import-source").append(el("option", { value: m, text: "what the import mapping " + m + " reads" }));
  if (desc.stage_field) {
    const sel = document.getElementById("filter-stage");
    for (const v of fieldByPath(desc.stage_field).values) sel.append(el("option", { value: v, text: humanise(v) }));
  }
  const form = document.getElementById("record-form");
  form.addEventListener("input", scheduleEvaluate);
  form.addEventListener("change", scheduleEvaluate);
  form.addEventListener("submit", save);
  document.getElementById("evaluate").addEventListener("click", evaluate);
  document.getElementById("new-record").addEventListener("click", newRecord);
  document.getElementById("show-form").addEventListener("click", () => showView("form"));
  document.getElementById("show-register").addEventListener("click", () => showView("register"));
  document.getElementById("filters").addEventListener("submit", loadRegister);
  document.getElementById("import-form").addEventListener("submit", importFile);
  evaluate();
}

document.addEventListener("DOMContentLoaded", start);
