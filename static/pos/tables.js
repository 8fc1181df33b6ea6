// The waiter's tables page: the floor, every open check with its age and
// amount, a check's rounds, the next round (the register's menu and cart),
// move, merge, and paying the bill in parts (evenly, or by ticked items).
// It exports nothing. Every command carries an id made here and goes through a
// queue kept in the outbox's IndexedDB store (outbox.kvGet/kvSet), sent in
// order to whichever node answers (failover.js): with the store server dead a
// sibling takes it, with no node at all it waits, and a replay records nothing twice.
import { config, lang, nameOf, yen } from "./i18n.js";
import { $ } from "./dom.js";
import { createNodes } from "./failover.js";
import { createMenu } from "./menu.js";
import { createCart } from "./cart.js";
import { showConnection } from "./status.js";
import * as outbox from "./outbox.js";

const STRINGS = {
  ja: { table: "テーブル", guests: "名", open: "会計中", free: "空き", no: "No.", min: "分", queued: "送信待ち",
        refused: "受け付けられません", sentRound: "キッチンへ送信しました", paid: "支払いを受け付けました",
        noCheck: "新しい会計を開きます", moved: "移動しました", merged: "合算しました", round: "注文", guest: "お客様",
        held: "保留中", items: "品", fire: "調理開始", fired: "調理開始を送信しました" },
  en: { table: "Table", guests: "guests", open: "Seated", free: "Free", no: "No.", min: "min", queued: "Waiting to send",
        refused: "Refused", sentRound: "Sent to the kitchen", paid: "Payment taken",
        noCheck: "Open a new check", moved: "Moved", merged: "Merged", round: "Round", guest: "guest",
        held: "Held", items: "items", fire: "Fire", fired: "Course fired" },
};
const s = (key) => (STRINGS[lang()] || STRINGS.ja)[key];
const QUEUE_KEY = "table-commands";
const REFRESH_MS = 2000;

const cfg = config();
const nodes = createNodes({ peers: cfg.peers || [], onConnection: (online, node) => showConnection(online, node) });
const { api } = nodes;
const menu = createMenu({ api, onPick: (item) => cart.add(item) });
const cart = createCart({ itemOf: menu.item, onPay: () => {} });
const view = { floor: [], checks: [], table: null, picked: new Set(), flushing: false };

function say(text, kind = "") {
  const m = $("message");
  m.textContent = text;
  m.dataset.kind = kind;
}

// --- The command queue ---------------------------------------------------

async function queued() {
  return (await outbox.kvGet(QUEUE_KEY)) || [];
}

async function enqueue(path, body) {
  // Read-modify-write of one key: this page is the queue's only writer.
  const commands = await queued();
  commands.push({ path, body });
  await outbox.kvSet(QUEUE_KEY, commands);
  await flush();
}

/** Send the queued commands oldest first; stop at the first one no node takes yet. */
async function flush() {
  if (view.flushing) return;
  view.flushing = true;
  try {
    let commands = await queued();
    while (commands.length) {
      const [command] = commands;
      let response;
      try {
        response = await api(command.path, { method: "POST", body: JSON.stringify(command.body) });
      } catch {
        break; // no node answers: keep everything
      }
      // 404: the check has not reached this node yet (a sibling opened it): try again later.
      if (response.status === 404 || response.status >= 500 || response.status === 401) break;
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        say(`${s("refused")}: ${data.detail || response.status}`, "error");
      }
      commands = commands.slice(1);
      await outbox.kvSet(QUEUE_KEY, commands);
    }
    $("tables-queued").textContent = String(commands.length);
  } finally {
    view.flushing = false;
  }
  await refresh();
}

// --- Reading the floor ---------------------------------------------------

async function refresh() {
  try {
    const [floor, checks] = await Promise.all([api("/tables"), api("/checks")]);
    if (floor.ok) view.floor = await floor.json();
    if (checks.ok) view.checks = await checks.json();
  } catch {
    // No node: keep showing what was last read.
  }
  render();
}

function checkOf(table) {
  return view.checks.find((c) => c.table === table) || null;
}

function age(check) {
  return Math.max(0, Math.floor((Date.now() - Date.parse(check.opened_at)) / 60000));
}

function render() {
  $("floor").replaceChildren(...view.floor.map(tableButton));
  $("open-checks").replaceChildren(...view.checks.map(checkRow));
  renderPane();
}

function tableButton(table) {
  const check = checkOf(table.table);
  const b = document.createElement("button");
  b.type = "button";
  b.className = check ? "table busy" : "table";
  b.dataset.table = table.table;
  b.setAttribute("data-testid", "table");
  b.setAttribute("aria-pressed", String(view.table === table.table));
  b.innerHTML = `<b></b><small></small>`;
  b.querySelector("b").textContent = table.table;
  b.querySelector("small").textContent = check ? `${check.guests}${s("guests")} ${yen(check.total)}` : s("free");
  b.addEventListener("click", () => select(table.table));
  return b;
}

function checkRow(check) {
  const li = document.createElement("li");
  li.setAttribute("data-testid", "open-check-row");
  li.dataset.table = check.table;
  li.textContent = `${check.table} · ${s("no")} ${check.number} · ${check.guests}${s("guests")} · ${age(check)}${s("min")} · ${yen(check.total)}`;
  li.addEventListener("click", () => select(check.table));
  return li;
}

function select(table) {
  view.table = table;
  view.picked.clear();
  cart.clear();
  render();
}

function renderPane() {
  const pane = $("check-pane");
  pane.hidden = !view.table;
  if (!view.table) return;
  const check = checkOf(view.table);
  $("check-title").textContent = `${s("table")} ${view.table}`;
  $("open-form").hidden = Boolean(check);
  $("check").hidden = !check;
  if (!check) return;
  $("check-number").textContent = `${s("no")} ${check.number}`;
  $("check-guests").textContent = `${check.guests}${s("guests")}`;
  $("check-age").textContent = `${age(check)}${s("min")}`;
  $("check-total").textContent = yen(check.total);
  $("check-paid").textContent = yen(check.paid);
  $("check-due").textContent = yen(check.due);
  $("check-rounds").replaceChildren(...check.rounds.map((r, i) => roundItem(r, i)));
  $("held-courses").replaceChildren(...(check.held || []).map((h) => heldItem(check, h)));
  fillSelect($("move-table"), view.floor.filter((t) => t.table !== check.table).map((t) => [t.table, t.table]));
  fillSelect($("merge-into"), view.checks.filter((c) => c.id !== check.id).map((c) => [c.id, `${c.table} ${s("no")} ${c.number}`]));
  $("part-amount").textContent = yen(partAmount(check));
}

function roundItem(round, index) {
  const li = document.createElement("li");
  li.setAttribute("data-testid", "check-round");
  const head = document.createElement("b");
  head.textContent = `${s("round")} ${index + 1}`;
  const lines = document.createElement("ul");
  for (const line of round.lines) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    if (round.paid === 0) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.setAttribute("data-testid", "line-pick");
      const key = `${round.order}:${line.position}`;
      box.checked = view.picked.has(key);
      box.addEventListener("change", () => {
        if (box.checked) view.picked.add(key);
        else view.picked.delete(key);
        renderPane();
      });
      label.append(box);
    }
    const course = line.course ? ` [${line.course}${line.held ? ` ${s("held")}` : ""}]` : "";
    label.append(` ${nameOf(line)} × ${line.qty} ${yen(line.amount)}${course}`);
    item.append(label);
    lines.append(item);
  }
  li.append(head, lines);
  return li;
}

/** A course still held: "保留中 2. メイン 2品" and the button that fires it. */
function heldItem(check, held) {
  const li = document.createElement("li");
  li.setAttribute("data-testid", "held-course");
  li.dataset.course = String(held.course);
  const label = document.createElement("span");
  label.textContent = `${s("held")} ${held.course}. ${nameOf(held)} ${held.items}${s("items")}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "primary";
  button.setAttribute("data-testid", "fire-course");
  button.textContent = s("fire");
  button.addEventListener("click", async () => {
    await enqueue(`/checks/${check.id}/fire`, { id: crypto.randomUUID(), course: held.course });
    say(s("fired"));
  });
  li.append(label, " — ", button);
  return li;
}

function fillSelect(select, options) {
  const kept = select.value;
  select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
  if (options.some(([value]) => value === kept)) select.value = kept;
}

function pickedLines(check) {
  const lines = [];
  for (const round of check.rounds) {
    for (const line of round.lines) {
      if (view.picked.has(`${round.order}:${line.position}`)) lines.push({ order: round.order, position: line.position, amount: line.amount });
    }
  }
  return lines;
}

/** The part paid next: the ticked items, or an even share of what is due. */
function partAmount(check) {
  const picked = pickedLines(check);
  if (picked.length) return picked.reduce((sum, l) => sum + l.amount, 0);
  const parts = Math.max(1, Number($("split-count").value) || 1);
  return Math.ceil(check.due / parts);
}

// --- Commands --------------------------------------------------------------

async function openCheck(event) {
  event.preventDefault();
  const guests = Number($("guests-input").value);
  await enqueue("/checks", { id: crypto.randomUUID(), table: view.table, guests, register: cfg.register || "" });
}

async function sendRound() {
  const check = checkOf(view.table);
  if (!check || cart.isEmpty) return;
  // The round's course, held or not: izakaya courses are sent course by course or all at once, held.
  const course = Number($("round-course").value) || 0;
  const hold = Boolean(course) && $("round-hold").checked;
  const lines = cart.lines.map((l) => ({
    sku: l.sku, qty: l.qty, modifiers: l.modifiers, ...(l.note ? { note: l.note } : {}),
    ...(course ? { course } : {}), ...(hold ? { hold: true } : {}),
  }));
  cart.clear();
  $("round-hold").checked = false;
  await enqueue(`/checks/${check.id}/rounds`, { id: crypto.randomUUID(), register: cfg.register || "", lines, ...(cart.note ? { note: cart.note } : {}) });
  say(s("sentRound"));
}

async function move() {
  const check = checkOf(view.table);
  const table = $("move-table").value;
  if (!check || !table) return;
  view.table = table;
  await enqueue(`/checks/${check.id}/move`, { id: crypto.randomUUID(), table });
  say(s("moved"));
}

async function merge() {
  const check = checkOf(view.table);
  const into = $("merge-into").value;
  if (!check || !into) return;
  view.table = view.checks.find((c) => c.id === into)?.table || view.table;
  await enqueue(`/checks/${check.id}/merge`, { id: crypto.randomUUID(), into });
  say(s("merged"));
}

function pay(method) {
  return async () => {
    const check = checkOf(view.table);
    if (!check || check.due <= 0) return;
    const picked = pickedLines(check);
    const body = { id: crypto.randomUUID(), method, amount: partAmount(check) };
    if (picked.length) body.lines = picked.map(({ order, position }) => ({ order, position }));
    else $("split-count").value = String(Math.max(1, (Number($("split-count").value) || 1) - 1));
    view.picked.clear();
    await enqueue(`/checks/${check.id}/payments`, body);
    say(s("paid"));
  };
}

function wire() {
  $("open-form").addEventListener("submit", openCheck);
  $("send-round").addEventListener("click", sendRound);
  $("move-check").addEventListener("click", move);
  $("merge-check").addEventListener("click", merge);
  $("pay-part-cash").addEventListener("click", pay("cash"));
  $("pay-part-card").addEventListener("click", pay("card"));
  $("pay-part-qr").addEventListener("click", pay("qr"));
  $("split-count").addEventListener("input", renderPane);
  addEventListener("online", flush);
}

async function start() {
  wire();
  await nodes.learnNodes();
  try {
    await menu.load();
  } catch (error) {
    say(String(error), "error");
  }
  cart.render();
  await flush();
  setInterval(() => flush(), REFRESH_MS);
  document.body.dataset.ready = "true";
}

start();
