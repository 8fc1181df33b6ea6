// The register: PIN, menu, cart with modifiers, dining, tenders, and recent orders with status.
// Every sale goes to the IndexedDB outbox first (outbox.js) and is then sent to
// whichever of the store's nodes answers; the screen works with no node at all.
import { config, lang, nameOf, t, yen } from "./i18n.js";
import * as outbox from "./outbox.js";
import { rateFor, receiptTaxes } from "./tax.js";
import { watchOrders } from "./order-status.js";
import { deviceToken, pairIfNeeded } from "./device.js";

const cfg = config();
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const state = { menu: null, category: null, dining: "eat_in", cart: [], staff: null, online: null, node: null, nodes: [] };
const REQUEST_TIMEOUT_MS = 5000;
const FLUSH_MIN_MS = 1000;
const FLUSH_MAX_MS = 10000; // bounded backoff: a node back from a reboot gets the queue within seconds
const STORAGE_WARN_RATIO = 0.8;

// --- nodes and failover ------------------------------------------------------
// The register knows its own node (the page's origin), the siblings the page was
// served with, and the peers /api/health reported (cached on the device). It
// talks to the last node that answered first, then the others.
function candidates() {
  const all = [...new Set([location.origin, ...(cfg.peers || []), ...state.nodes])];
  return state.node ? [state.node, ...all.filter((n) => n !== state.node)] : all;
}

function headers(extra = {}) {
  const h = { "Content-Type": "application/json", Accept: "application/json" };
  const token = deviceToken();
  if (token) h.Authorization = `Bearer ${token}`;
  return { ...h, ...extra };
}

class Unreachable extends Error {}

/** The response of the first node that answers; a node answering 5xx (starting,
 * overloaded) only counts when no other node answers better. Unreachable when none answers. */
async function api(path, options = {}) {
  let fallback = null;
  for (const base of candidates()) {
    try {
      const response = await fetch(`${base}/api${path}`, {
        ...options,
        headers: headers(options.headers),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status >= 500) { fallback = fallback || { base, response }; continue; }
      return answered(base, response);
    } catch {
      // this node is down or unreachable: try the next one
    }
  }
  if (fallback) return answered(fallback.base, fallback.response);
  setConnection(false);
  throw new Unreachable(t("noNode"));
}

function answered(base, response) {
  // Remembered across reloads: with its own node hung rather than down, the
  // page would otherwise wait out a timeout on every request before failing over.
  if (state.node !== base) localStorage.setItem("pos.node", base);
  state.node = base;
  setConnection(true);
  return response;
}

async function learnNodes() {
  state.nodes = (await outbox.kvGet("nodes").catch(() => null)) || [];
  const last = localStorage.getItem("pos.node");
  if (last && [location.origin, ...(cfg.peers || []), ...state.nodes].includes(last)) state.node = last;
  try {
    const response = await api("/health");
    if (!response.ok) return;
    const health = await response.json();
    const peers = (health.peers || []).map((p) => p.url).filter(Boolean);
    state.nodes = [...new Set([...state.nodes, ...peers])];
    await outbox.kvSet("nodes", state.nodes);
  } catch {
    // offline: the cached list will do
  }
}

function setConnection(online) {
  const changed = state.online !== online;
  state.online = online;
  const el = $("connection");
  el.dataset.state = online ? "online" : "offline";
  el.dataset.node = online && state.node ? state.node : "";
  el.textContent = online ? t("online") : t("offline");
  el.title = online && state.node ? state.node : "";
  if (changed && online) {
    // Back online: send what waited and look for a new release at once,
    // instead of waiting for the next timer tick.
    scheduleFlush(0);
    checkForUpdate();
  }
}

// --- staff -----------------------------------------------------------------
function showTill() {
  $("pin-screen").hidden = true;
  $("till").hidden = false;
  $("logout").hidden = false;
  $("staff-name").textContent = state.staff ? state.staff.name : "";
}

// Offline login: after a PIN is accepted by a node, the device keeps a salted
// SHA-256 digest of it with the staff member's name and role, so the same PIN
// opens the register when no node answers. A 4-digit PIN cannot resist a search
// of a stolen tablet whatever the hash; the digest only keeps PINs out of plain
// sight, and a node's "wrong PIN" forgets the cached one (a revoked PIN).
async function pinDigest(pin) {
  let salt = await outbox.kvGet("pinSalt");
  if (!salt) {
    salt = crypto.randomUUID();
    await outbox.kvSet("pinSalt", salt);
  }
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${salt}:${cfg.store}:${pin}`));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function login(pin) {
  const digest = await pinDigest(pin);
  const known = (await outbox.kvGet("staffLogins")) || {};
  let response;
  try {
    response = await api("/staff/login", { method: "POST", body: JSON.stringify({ pin }) });
  } catch {
    if (!known[digest]) { $("pin-error").textContent = t("pinOffline"); return; }
    state.staff = known[digest];
    return startShift();
  }
  if (response.status === 403) {
    delete known[digest];
    await outbox.kvSet("staffLogins", known);
    $("pin-error").textContent = t("wrongPin");
    return;
  }
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $("pin-error").textContent = `${t("failed")}: ${data.detail || response.status}`;
    return;
  }
  state.staff = await response.json();
  known[digest] = state.staff;
  await outbox.kvSet("staffLogins", known);
  startShift();
}

function startShift() {
  $("pin-error").textContent = "";
  sessionStorage.setItem("pos.staff", JSON.stringify(state.staff));
  showTill();
}

function logout() {
  // Staff data goes (who, the cart they were building); the outbox stays:
  // queued sales belong to the store, not to the cashier who rang them up.
  state.staff = null;
  state.cart = [];
  renderCart();
  sessionStorage.removeItem("pos.staff");
  $("till").hidden = true;
  $("logout").hidden = true;
  $("pin-screen").hidden = false;
  $("pin-input").value = "";
  $("pin-input").focus();
}

// --- menu ------------------------------------------------------------------
// The menu is kept on the device (and by the service worker) so the register
// sells with the prices it last saw when no node answers.
async function loadMenu() {
  try {
    const response = await api("/menu");
    if (!response.ok) throw new Error(`menu: ${response.status}`);
    state.menu = await response.json();
    await outbox.kvSet("menu", state.menu);
  } catch (error) {
    state.menu = await outbox.kvGet("menu");
    if (!state.menu) throw error;
  }
  state.category = state.category || state.menu.categories[0]?.code;
  renderMenu();
}

function renderMenu() {
  const nav = $("categories");
  nav.replaceChildren(
    ...state.menu.categories.map((c) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = nameOf(c);
      b.setAttribute("aria-pressed", String(c.code === state.category));
      b.addEventListener("click", () => {
        state.category = c.code;
        for (const other of nav.children) other.setAttribute("aria-pressed", String(other === b));
        document.getElementById(`category-${c.code}`)?.scrollIntoView({ block: "start", behavior: "smooth" });
      });
      return b;
    }),
  );
  // Every item is always on screen, grouped by category: a cashier at the
  // lunch rush never hunts through tabs, and a tap target never depends on
  // which tab happens to be open. The category buttons only scroll.
  $("menu-items").replaceChildren(
    ...state.menu.categories.map((c) => {
      const section = document.createElement("section");
      section.className = "category";
      section.id = `category-${c.code}`;
      const heading = document.createElement("h2");
      heading.textContent = nameOf(c);
      section.append(heading, ...state.menu.items.filter((item) => item.category === c.code).map(itemButton));
      return section;
    }),
  );
}

function itemButton(item) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "item";
  b.dataset.sku = item.sku;
  b.setAttribute("data-testid", "menu-item");
  b.disabled = !item.available;
  b.innerHTML = `<span class="name"></span><span class="price"></span>`;
  b.querySelector(".name").textContent = nameOf(item);
  b.querySelector(".price").textContent = item.available ? yen(item.price) : t("soldOut");
  b.addEventListener("click", () => addItem(item));
  return b;
}

// --- cart ------------------------------------------------------------------
function defaultModifiers(item) {
  // Required choices default to the first option so a tap rings the usual
  // thing at once; the cashier changes it only when the customer asks.
  return item.modifier_groups.flatMap((g) => g.modifiers.slice(0, g.min).map((m) => m.code));
}

function addItem(item) {
  const modifiers = defaultModifiers(item);
  const same = state.cart.find((l) => l.sku === item.sku && l.modifiers.join() === modifiers.join());
  if (same) same.qty += 1;
  else state.cart.push({ sku: item.sku, qty: 1, modifiers });
  renderCart();
}

function itemOf(sku) {
  return state.menu.items.find((i) => i.sku === sku);
}

function unitPrice(line) {
  const item = itemOf(line.sku);
  const mods = item.modifier_groups.flatMap((g) => g.modifiers);
  return item.price + line.modifiers.reduce((sum, code) => sum + (mods.find((m) => m.code === code)?.price_delta || 0), 0);
}

function cartTotals() {
  const lines = state.cart.map((l) => ({
    amount: unitPrice(l) * l.qty,
    rate: rateFor(itemOf(l.sku).tax_class, state.dining),
  }));
  return { total: lines.reduce((s, l) => s + l.amount, 0), taxes: receiptTaxes(lines) };
}

function renderCart() {
  const list = $("cart-lines");
  list.replaceChildren(
    ...state.cart.map((line, index) => {
      const item = itemOf(line.sku);
      const li = document.createElement("li");
      li.dataset.lineSku = line.sku; // not data-sku: that hook belongs to the menu buttons
      const mods = item.modifier_groups.flatMap((g) => g.modifiers).filter((m) => line.modifiers.includes(m.code));
      li.innerHTML = `<span class="name"></span><span class="mods"></span>
        <span class="qty"><button type="button" class="minus" aria-label="-">−</button><b></b><button type="button" class="plus" aria-label="+">＋</button></span>
        <span class="amount"></span>`;
      li.querySelector(".name").textContent = nameOf(item) + (rateFor(item.tax_class, state.dining) === 8 ? " ※" : "");
      li.querySelector(".mods").textContent = mods.map(nameOf).join("・");
      li.querySelector(".qty b").textContent = line.qty;
      li.querySelector(".amount").textContent = yen(unitPrice(line) * line.qty);
      li.querySelector(".minus").addEventListener("click", () => { line.qty -= 1; if (!line.qty) state.cart.splice(index, 1); renderCart(); });
      li.querySelector(".plus").addEventListener("click", () => { line.qty = Math.min(99, line.qty + 1); renderCart(); });
      if (item.modifier_groups.length) {
        const edit = document.createElement("button");
        edit.type = "button";
        edit.className = "edit";
        edit.dataset.testid = "line-options";
        edit.setAttribute("data-testid", "line-options");
        edit.textContent = t("options");
        edit.addEventListener("click", () => editModifiers(line));
        li.append(edit);
      }
      return li;
    }),
  );
  const { total, taxes } = cartTotals();
  $("cart-total").textContent = yen(total);
  $("cart-taxes").textContent = taxes.map((x) => `${x.rate}% ${yen(x.tax)}`).join(" / ");
  renderCashQuick(total);
}

function renderCashQuick(total) {
  const notes = [1000, 5000, 10000].filter((n) => n > total && total > 0);
  $("cash-quick").replaceChildren(
    ...notes.map((n) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = yen(n);
      b.setAttribute("data-testid", `pay-cash-${n}`);
      b.addEventListener("click", () => checkout([{ method: "cash", amount: n }]));
      return b;
    }),
  );
}

function editModifiers(line) {
  const item = itemOf(line.sku);
  const dialog = $("modifier-dialog");
  dialog.querySelector(".title").textContent = nameOf(item);
  const groups = dialog.querySelector(".groups");
  groups.replaceChildren(
    ...item.modifier_groups.map((g) => {
      const fs = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = nameOf(g);
      fs.append(legend);
      const single = g.max === 1;
      for (const m of g.modifiers) {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = single && g.min === 1 ? "radio" : "checkbox";
        input.name = g.code;
        input.value = m.code;
        input.checked = line.modifiers.includes(m.code);
        label.append(input, ` ${nameOf(m)}${m.price_delta ? ` (${m.price_delta > 0 ? "+" : ""}${m.price_delta})` : ""}`);
        fs.append(label);
      }
      return fs;
    }),
  );
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok") return;
    line.modifiers = [...groups.querySelectorAll("input:checked")].map((i) => i.value);
    renderCart();
  };
  dialog.showModal();
}

// --- sending ---------------------------------------------------------------
function message(text, kind = "") {
  const el = $("message");
  el.textContent = text;
  el.dataset.kind = kind;
}

/** The store's trading day as the register sees it: the local date, in the
 * store's time zone, of (now - cut-over). Keys the register's ticket counter. */
function businessDay() {
  const [h, m] = (cfg.cutover || "04:00").split(":").map(Number);
  const shifted = new Date(Date.now() - (h * 60 + m) * 60000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timeZone || "Asia/Tokyo", year: "numeric", month: "2-digit", day: "2-digit" }).format(shifted);
}

// A sale is written to the outbox before anything is sent: the customer gets
// the number from the register's own block at once, online or not.
async function checkout(payments) {
  if (!state.cart.length) { message(t("cartEmpty")); return; }
  // A double tap on "pay" must not ring the same cart up twice.
  if (state.checkingOut) return;
  state.checkingOut = true;
  try {
    await recordSale(payments);
  } finally {
    state.checkingOut = false;
  }
  if (state.updateReady && !state.cart.length) location.reload();
}

async function recordSale(payments) {
  // Everything about the sale is taken from the screen before the first await.
  const { total } = cartTotals();
  const body = {
    id: crypto.randomUUID(),
    register: cfg.register,
    dining: state.dining,
    lines: state.cart.map((l) => ({ sku: l.sku, qty: l.qty, modifiers: [...l.modifiers] })),
    payments,
  };
  const prices = state.cart.map((l) => ({ sku: l.sku, qty: l.qty, unit_price: unitPrice(l), name: nameOf(itemOf(l.sku)) }));
  // The tap path is this one IndexedDB transaction and nothing else: no
  // network, no further reads. Sending starts only once the sale is shown.
  const read = statusRead();
  let number, waiting;
  try {
    ({ number, waiting } = await outbox.record({ id: body.id, body, prices, total, created: Date.now() }, cfg.lane, businessDay()));
  } catch (error) {
    message(`${t("notSaved")}: ${error}`, "error");
    return;
  }
  // The count goes up before the cart clears, so the screen never shows a sale
  // that is neither in the cart nor counted as waiting.
  showWaiting(read, waiting);
  state.cart = [];
  renderCart();
  const cash = payments.filter((p) => p.method === "cash").reduce((sum, p) => sum + p.amount, 0);
  const paid = payments.reduce((sum, p) => sum + p.amount, 0);
  const change = cash && paid > total ? ` ${t("change")} ${yen(paid - total)}` : "";
  message(`${t("no")} ${number} ${t("accepted")} ${yen(total)}${change}`, "ok");
  renderStatus(); // the oldest's age and the queued line in recent orders, after the count
  scheduleFlush(0);
}

// --- flushing the outbox -------------------------------------------------------
// Triggers: start, "online", the page becoming visible, any successful request,
// and a timer with bounded backoff (no Background Sync: Safari lacks it). Only
// one tab flushes at a time (Web Locks); the server's idempotency on the
// client's UUID makes a second send harmless anyway.
const flusher = { timer: null, delay: FLUSH_MIN_MS, running: false };

function scheduleFlush(delay = flusher.delay) {
  clearTimeout(flusher.timer);
  flusher.timer = setTimeout(flush, delay);
}

async function flush() {
  clearTimeout(flusher.timer);
  if (flusher.running) return;
  flusher.running = true;
  let done = false;
  try {
    done = navigator.locks
      ? await navigator.locks.request("posweb-outbox-flush", { ifAvailable: true }, (lock) => (lock ? sendAll() : "busy"))
      : await sendAll();
  } catch {
    done = false;
  } finally {
    flusher.running = false;
  }
  // Another tab holds the lock: look again soon, it may leave entries of ours.
  flusher.delay = done === true || done === "busy" ? FLUSH_MIN_MS : Math.min(flusher.delay * 2, FLUSH_MAX_MS);
  await renderStatus();
  scheduleFlush(done === true ? FLUSH_MAX_MS / 2 : flusher.delay);
}

/** Send every waiting sale, oldest first. True when the outbox was emptied. */
async function sendAll() {
  const entries = await outbox.pending();
  for (const entry of entries) {
    let response;
    try {
      response = await api("/orders", { method: "POST", body: JSON.stringify(entry.body) });
    } catch {
      return false; // no node answers: everything stays queued
    }
    if (response.ok) {
      // 201 or a 200 replay: some node has it durably; forget it here.
      await outbox.acknowledge(entry.id);
    } else if ([400, 409, 413, 422].includes(response.status)) {
      // The node refused this sale as sent; it moves to the visible rejected
      // list for the manager, never silently dropped.
      const data = await response.json().catch(() => ({}));
      await outbox.reject(entry, response.status, typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail || ""));
    } else {
      return false; // 401, 5xx...: keep it and try again later
    }
    await renderStatus();
  }
  if (entries.length) refreshOrders();
  return true;
}

// --- what the cashier sees -------------------------------------------------------
function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}${t("sec")}` : `${Math.floor(s / 60)}${t("min")}`;
}

// Reads of the outbox finish out of order (a status read begun before a sale's
// transaction may resolve after it), so each read is numbered when it starts
// and a read older than the one on screen is dropped: the count never steps
// back to a state the outbox has already left. IndexedDB orders transactions on
// the same store by creation, so a read numbered later saw every earlier write.
const status = { started: 0, shown: 0 };

function statusRead() {
  return ++status.started;
}

/** Show the outbox count read by ``read``; false when a newer read is already on screen. */
function showWaiting(read, waiting) {
  if (read < status.shown) return false;
  status.shown = read;
  $("outbox-count").textContent = waiting;
  return true;
}

async function renderStatus() {
  const read = statusRead();
  const [entries, refused] = await Promise.all([outbox.pending(), outbox.rejected()]).catch(() => [[], []]);
  if (!showWaiting(read, entries.length)) return;
  const oldest = entries[0];
  $("outbox-oldest").textContent = oldest ? `${t("oldest")} ${age(Date.now() - oldest.created)}` : "";
  const list = $("rejected-orders");
  list.hidden = !refused.length;
  list.replaceChildren(
    ...refused.map((r) => {
      const li = document.createElement("li");
      li.dataset.orderId = r.id;
      li.textContent = `${t("rejected")}: ${t("no")} ${r.body.number} ${yen(r.total)} — ${r.status} ${r.detail}`;
      return li;
    }),
  );
  renderRecentOrders(state.recent || [], entries);
}

async function refreshOrders() {
  try {
    const response = await api("/orders?limit=10");
    if (!response.ok) return;
    state.recent = (await response.json()).items;
    const entries = await outbox.pending();
    renderRecentOrders(state.recent, entries);
    if (entries.length) scheduleFlush(0); // a node answers: send what waits now
  } catch {
    // offline: the status bar says so
  }
}

/** The one place recent orders are drawn (the live order-status module hooks
 * here): sales still in the outbox first, then what the node reported. */
export function renderRecentOrders(items, queued = []) {
  const known = new Set(items.map((o) => o.id));
  const waiting = queued.filter((e) => !known.has(e.id)).reverse().map((e) => {
    const li = document.createElement("li");
    li.dataset.orderId = e.id;
    li.dataset.status = "queued";
    li.setAttribute("data-testid", "recent-order");
    li.textContent = `${t("no")} ${e.body.number} · ${t(e.body.dining)} · ${yen(e.total)} · ${t("queued")}`;
    return li;
  });
  $("recent-orders").replaceChildren(
    ...waiting,
    ...items.map((o) => {
      const li = document.createElement("li");
      li.dataset.orderId = o.id;
      li.dataset.status = o.status;
      li.setAttribute("data-testid", "recent-order");
      li.textContent = `${t("no")} ${o.number} · ${t(o.dining)} · ${yen(o.total)} · ${t(o.status)}`;
      return li;
    }),
  );
}

// The browser may evict an origin's storage under pressure unless persistence
// is granted; the cashier must know when queued sales are at risk.
async function checkStorage() {
  if (!navigator.storage) return;
  const persisted = (await navigator.storage.persisted?.()) || (await navigator.storage.persist?.().catch(() => false));
  const persistEl = $("storage-persist");
  persistEl.hidden = Boolean(persisted);
  persistEl.dataset.state = persisted ? "granted" : "refused";
  persistEl.textContent = t("persistRefused");
  const { usage = 0, quota = 0 } = (await navigator.storage.estimate?.().catch(() => ({}))) || {};
  const tight = quota > 0 && usage / quota > STORAGE_WARN_RATIO;
  $("storage-warning").textContent = t("storageTight");
  $("storage-warning").hidden = !tight;
}

// --- service worker: offline shell and updates ---------------------------------
async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // The first worker taking over an uncontrolled page is no update.
    if (!controlled) { controlled = true; return; }
    // A new release took over. Reload into it when no sale is half rung up;
    // queued sales are in IndexedDB, which a release never touches.
    state.updateReady = true;
    if (!state.cart.length) location.reload();
  });
  try {
    state.registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
    document.body.dataset.sw = "ready";
  } catch (error) {
    document.body.dataset.sw = "failed";
  }
}

function checkForUpdate() {
  state.registration?.update().catch(() => {});
}

// --- wiring ----------------------------------------------------------------
function wire() {
  document.querySelector(".pin-form").addEventListener("submit", (e) => { e.preventDefault(); login($("pin-input").value); });
  $("logout").addEventListener("click", logout);
  $("lang-toggle").addEventListener("click", () => {
    document.cookie = `django_language=${lang() === "ja" ? "en" : "ja"}; path=/; max-age=31536000; SameSite=Lax`;
    location.reload();
  });
  for (const b of document.querySelectorAll("[data-dining]")) {
    b.addEventListener("click", () => {
      state.dining = b.dataset.dining;
      for (const o of document.querySelectorAll("[data-dining]")) o.setAttribute("aria-pressed", String(o === b));
      renderCart();
    });
  }
  $("pay-cash").addEventListener("click", () => checkout([{ method: "cash", amount: cartTotals().total }]));
  $("pay-card").addEventListener("click", () => checkout([{ method: "card", amount: cartTotals().total }]));
  $("pay-qr").addEventListener("click", () => checkout([{ method: "qr", amount: cartTotals().total }]));
  $("cart-clear").addEventListener("click", () => { state.cart = []; renderCart(); });
  // "online" only says the tablet has a network, not that a node answers:
  // flush, and let the answer (or its absence) set the status.
  addEventListener("online", () => flush());
  addEventListener("offline", () => setConnection(false));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") flush(); });
}

async function start() {
  wire();
  const saved = sessionStorage.getItem("pos.staff");
  state.staff = saved ? JSON.parse(saved) : null;
  if (state.staff) showTill();
  else { $("pin-screen").hidden = false; $("pin-input").focus(); }
  $("app-version").textContent = cfg.version || "";
  registerServiceWorker();
  await learnNodes();
  try {
    await loadMenu();
  } catch (error) {
    message(`${t("noMenu")}: ${error}`, "error");
  }
  renderCart();
  await renderStatus();
  flush();
  refreshOrders();
  checkStorage();
  setInterval(refreshOrders, 3000);
  setInterval(renderStatus, 1000);
  setInterval(checkStorage, 60000);
  setInterval(checkForUpdate, 60000);
  // live: in kitchen / ready the moment it happens; the menu again when an item is sold out
  watchOrders(() => refreshOrders(), { onMenu: () => loadMenu().catch(() => {}) });
  document.body.dataset.ready = "true";
}

if (!pairIfNeeded()) start(); // with POS_DEMO=0 an unpaired tablet pairs first
