// The register: PIN, menu, cart with modifiers, dining, tenders, and recent orders with status.
import { config, lang, nameOf, t, yen } from "./i18n.js";
import { rateFor, receiptTaxes } from "./tax.js";
import { watchOrders } from "./order-status.js";

const cfg = config();
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const state = { menu: null, category: null, dining: "eat_in", cart: [], staff: null, pending: 0 };

function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const token = cfg.token || localStorage.getItem("pos.deviceToken");
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`/api${path}`, { ...options, headers: { ...headers, ...(options.headers || {}) } });
}

function setConnection(online) {
  const el = $("connection");
  el.dataset.state = online ? "online" : "offline";
  el.textContent = online ? t("online") : t("offline");
}

// --- staff -----------------------------------------------------------------
function showTill() {
  $("pin-screen").hidden = true;
  $("till").hidden = false;
  $("logout").hidden = false;
  $("staff-name").textContent = state.staff ? state.staff.name : "";
}

async function login(pin) {
  const response = await api("/staff/login", { method: "POST", body: JSON.stringify({ pin }) });
  if (!response.ok) {
    $("pin-error").textContent = t("wrongPin");
    return;
  }
  state.staff = await response.json();
  sessionStorage.setItem("pos.staff", JSON.stringify(state.staff));
  showTill();
}

function logout() {
  state.staff = null;
  sessionStorage.removeItem("pos.staff");
  $("till").hidden = true;
  $("logout").hidden = true;
  $("pin-screen").hidden = false;
  $("pin-input").value = "";
  $("pin-input").focus();
}

// --- menu ------------------------------------------------------------------
async function loadMenu() {
  const response = await api("/menu");
  if (!response.ok) throw new Error(`menu: ${response.status}`);
  state.menu = await response.json();
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
      b.addEventListener("click", () => { state.category = c.code; renderMenu(); });
      return b;
    }),
  );
  // Every item is on the page (other categories hidden) so a tap target never
  // depends on which tab happens to be open.
  $("menu-items").replaceChildren(
    ...state.menu.items.map((item) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "item";
      b.dataset.sku = item.sku;
      b.dataset.testid = "menu-item";
      b.setAttribute("data-testid", "menu-item");
      b.hidden = item.category !== state.category;
      b.disabled = !item.available;
      b.innerHTML = `<span class="name"></span><span class="price"></span>`;
      b.querySelector(".name").textContent = nameOf(item);
      b.querySelector(".price").textContent = item.available ? yen(item.price) : t("soldOut");
      b.addEventListener("click", () => addItem(item));
      return b;
    }),
  );
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

async function checkout(payments) {
  if (!state.cart.length) { message(t("cartEmpty")); return; }
  const body = {
    id: crypto.randomUUID(),
    register: cfg.register,
    dining: state.dining,
    lines: state.cart.map((l) => ({ sku: l.sku, qty: l.qty, modifiers: l.modifiers })),
    payments,
  };
  state.pending += 1;
  $("outbox-count").textContent = state.pending;
  try {
    const response = await api("/orders", { method: "POST", body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      message(`${t("rejected")}: ${data.detail || response.status}`, "error");
      return;
    }
    setConnection(true);
    state.cart = [];
    renderCart();
    const change = data.change ? ` ${t("change")} ${yen(data.change)}` : "";
    message(`${t("no")} ${data.number} ${t("sent")} ${yen(data.total)}${change}`, "ok");
    refreshOrders();
  } catch (error) {
    setConnection(false);
    message(`${t("failed")}: ${error}`, "error");
  } finally {
    state.pending -= 1;
    $("outbox-count").textContent = state.pending;
  }
}

async function refreshOrders() {
  try {
    const response = await api("/orders?limit=10");
    if (!response.ok) return;
    setConnection(true);
    const data = await response.json();
    $("recent-orders").replaceChildren(
      ...data.items.map((o) => {
        const li = document.createElement("li");
        li.dataset.orderId = o.id;
        li.dataset.status = o.status;
        li.setAttribute("data-testid", "recent-order");
        li.textContent = `${t("no")} ${o.number} · ${t(o.dining)} · ${yen(o.total)} · ${t(o.status)}`;
        return li;
      }),
    );
  } catch {
    setConnection(false);
  }
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
  addEventListener("online", () => setConnection(true));
  addEventListener("offline", () => setConnection(false));
}

async function start() {
  wire();
  const saved = sessionStorage.getItem("pos.staff");
  state.staff = saved ? JSON.parse(saved) : null;
  if (state.staff) showTill();
  else { $("pin-screen").hidden = false; $("pin-input").focus(); }
  try {
    await loadMenu();
    setConnection(true);
  } catch (error) {
    setConnection(false);
    message(`${t("failed")}: ${error}`, "error");
  }
  renderCart();
  refreshOrders();
  setInterval(refreshOrders, 3000);
  watchOrders(() => refreshOrders()); // live: in kitchen / ready the moment it happens
  document.body.dataset.ready = "true";
}

start();
