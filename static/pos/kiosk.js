// The self-order kiosk and the QR table order page: one customer-facing
// ordering screen over the integration API (/api/integrations/), as the
// store's own integrator. No staff functions: no PIN, no voids, no drawer.
// The order is sent under an idempotency key made once per cart, so a tap
// that timed out can be repeated without ordering twice; the order's
// status then follows live over the order-status doorbell (/ws/orders/).
import { watchOrders } from "./order-status.js";
import { config, lang, nameOf, t, yen } from "./channels-i18n.js";

const cfg = config();
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const PICTURES = { bowls: "🍚", burgers: "🍔", sides: "🍟", drinks: "🥤", alcohol: "🍺", desserts: "🍦", other: "🛍️" };
const MENU_REFRESH_MS = 15000;
const KIOSK_RESET_MS = 90000;

const state = { menu: null, category: null, cart: [], dining: "eat_in", key: null, order: null, accepting: true };

function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${cfg.key}`, "Content-Type": "application/json" };
  return fetch(`/api/integrations${path}`, { ...options, headers, cache: "no-store" });
}

function newKey() {
  return `${cfg.channel}-${crypto.randomUUID()}`;
}

async function loadMenu() {
  try {
    const response = await api(`/menu?channel=${cfg.channel}`);
    if (!response.ok) return;
    state.menu = await response.json();
  } catch (error) { return; }
  if (!state.category) state.category = state.menu.categories[0]?.code;
  showAcceptance(state.menu.channel);
  renderMenu();
}

function showAcceptance(channel) {
  state.accepting = channel.accepting;
  const banner = $("channel-paused");
  banner.hidden = channel.accepting;
  banner.dataset.code = channel.code || "";
  banner.querySelector("span").textContent = t("paused");
  banner.querySelector("small").textContent = t("pausedHint");
  renderCart();
}

function renderMenu() {
  const cats = $("categories");
  cats.replaceChildren(...state.menu.categories.map((c) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = nameOf(c); b.setAttribute("aria-pressed", String(c.code === state.category));
    b.onclick = () => { state.category = c.code; renderMenu(); };
    return b;
  }));
  const items = state.menu.items.filter((item) => item.category === state.category && (state.dining === "eat_in" || item.takeout_ok));
  $("tiles").replaceChildren(...items.map(tile));
}

function tile(item) {
  const b = document.createElement("button");
  b.type = "button"; b.className = "tile"; b.dataset.sku = item.sku; b.dataset.testid = "tile";
  b.setAttribute("data-testid", "tile");
  const pic = document.createElement("span"); pic.className = "pic"; pic.textContent = PICTURES[item.category] || "🍽️";
  const name = document.createElement("span"); name.className = "name"; name.textContent = nameOf(item);
  const price = document.createElement("span"); price.className = "price";
  if (item.sold_out) { price.textContent = t("soldOut"); price.classList.add("sold"); b.setAttribute("aria-disabled", "true"); }
  else price.textContent = yen(item.price);
  b.append(pic, name, price);
  b.onclick = () => { if (!item.sold_out) choose(item); };
  return b;
}

function choose(item) {
  if (!item.modifier_groups.length) { add(item, []); return; }
  const dialog = $("options");
  dialog.querySelector("h2").textContent = nameOf(item);
  dialog.querySelector(".groups").replaceChildren(...item.modifier_groups.map((group) => {
    const set = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = nameOf(group) + (group.min > 0 ? ` (${t("required")})` : "");
    set.append(legend);
    group.modifiers.forEach((mod, index) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = group.max === 1 ? "radio" : "checkbox"; input.name = group.code; input.value = mod.code;
      input.checked = group.min > 0 && index === 0; // a required choice starts on its first option
      label.append(input, `${nameOf(mod)}${mod.price_delta ? ` +${yen(mod.price_delta)}` : ""}`);
      set.append(label);
    });
    return set;
  }));
  $("options-cancel").textContent = t("cancel");
  $("options-ok").textContent = t("add");
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok") return;
    const chosen = [...dialog.querySelectorAll("input:checked")].map((input) => input.value);
    add(item, chosen);
  };
  dialog.showModal();
}

function unitPrice(item, codes) {
  const deltas = item.modifier_groups.flatMap((g) => g.modifiers).filter((m) => codes.includes(m.code));
  return item.price + deltas.reduce((sum, m) => sum + m.price_delta, 0);
}

function add(item, modifiers) {
  const same = state.cart.find((line) => line.item.sku === item.sku && line.modifiers.join() === modifiers.join());
  if (same) same.qty = Math.min(99, same.qty + 1);
  else state.cart.push({ item, modifiers, qty: 1 });
  state.key = null; // a different cart is a different order
  renderCart();
}

function renderCart() {
  const cart = $("cart");
  cart.querySelector("h2").textContent = t("cart");
  for (const b of cart.querySelectorAll("[data-dining]")) {
    b.textContent = t(b.dataset.dining);
    b.setAttribute("aria-pressed", String(b.dataset.dining === state.dining));
  }
  const lines = state.cart.map((line, index) => {
    const li = document.createElement("li");
    li.dataset.testid = "cart-line";
    const name = document.createElement("span"); name.textContent = `${nameOf(line.item)} × ${line.qty}`;
    const amount = document.createElement("b"); amount.textContent = yen(unitPrice(line.item, line.modifiers) * line.qty);
    const remove = document.createElement("button"); remove.type = "button"; remove.textContent = "✕"; remove.setAttribute("aria-label", t("remove"));
    remove.onclick = () => { state.cart.splice(index, 1); state.key = null; renderCart(); };
    li.append(name, amount, remove);
    if (line.modifiers.length) {
      const mods = document.createElement("small");
      const all = line.item.modifier_groups.flatMap((g) => g.modifiers);
      mods.textContent = line.modifiers.map((code) => nameOf(all.find((m) => m.code === code) || { name_ja: code })).join(" / ");
      li.append(mods);
    }
    return li;
  });
  $("cart-lines").replaceChildren(...(lines.length ? lines : [Object.assign(document.createElement("li"), { textContent: t("cartEmpty") })]));
  const total = state.cart.reduce((sum, line) => sum + unitPrice(line.item, line.modifiers) * line.qty, 0);
  $("cart-total").textContent = yen(total);
  const place = $("place-order");
  place.textContent = `${t("order")} · ${t("payCounter")}`;
  place.disabled = !state.cart.length || !state.accepting;
}

async function placeOrder() {
  const place = $("place-order");
  place.disabled = true; place.textContent = t("sending");
  $("order-error").textContent = "";
  state.key = state.key || newKey();
  const body = {
    idempotency_key: state.key, channel: cfg.channel, dining: state.dining,
    lines: state.cart.map((line) => ({ sku: line.item.sku, qty: line.qty, modifiers: line.modifiers })),
  };
  // At a table (its QR code): the order joins the table's check, eaten in, paid at the end.
  if (cfg.table) Object.assign(body, { table: cfg.table, dining: "eat_in" });
  let response;
  try {
    response = await api("/orders", { method: "POST", body: JSON.stringify(body) });
  } catch (error) {
    $("order-error").textContent = t("failed"); renderCart(); return; // same key on the next tap
  }
  const answer = await response.json().catch(() => ({}));
  if (response.status === 200 || response.status === 201) { showDone(answer); return; }
  if (response.status === 503) { showAcceptance({ accepting: false, code: answer.code }); state.key = null; }
  else if (response.status === 422) state.key = null; // the cart must change before it can be sent
  $("order-error").textContent = `${t("rejected")}: ${answer.detail || response.status}`;
  renderCart();
}

function showDone(order) {
  state.order = order;
  $("ordering").hidden = true;
  $("done").hidden = false;
  $("your-number-label").textContent = t("yourNumber");
  $("order-number").textContent = order.number;
  $("pay-hint").textContent = order.balance_due > 0 ? t("payAtCounter") : "";
  $("new-order").textContent = t("newOrder");
  showStatus(order.status);
  const notify = $("notify-me");
  notify.hidden = cfg.channel !== "qr";
  notify.textContent = t("notifyMe");
  if (cfg.channel === "kiosk") setTimeout(reset, KIOSK_RESET_MS);
}

function showStatus(status) {
  const el = $("order-status");
  el.dataset.status = status;
  el.textContent = t(status);
}

function reset() {
  state.cart = []; state.key = null; state.order = null; state.dining = "eat_in";
  $("done").hidden = true; $("ordering").hidden = false;
  $("notify-state").textContent = "";
  renderCart(); loadMenu();
}

// Order-ready notification (QR page only): subscribe this phone with the
// node's VAPID key and hand the subscription to the node.
async function notifyMe() {
  const notice = $("notify-state");
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) { notice.textContent = t("notifyUnsupported"); return; }
  if ((await Notification.requestPermission()) !== "granted") { notice.textContent = t("notifyDenied"); return; }
  try {
    const registration = await navigator.serviceWorker.register("/order/sw.js", { scope: "/order/" });
    await navigator.serviceWorker.ready;
    const { public_key } = await (await fetch("/api/integrations/push/key")).json();
    const raw = Uint8Array.from(atob(public_key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: raw });
    const body = { ...subscription.toJSON(), lang: lang() };
    const response = await api(`/orders/${encodeURIComponent(state.order.idempotency_key)}/push`, { method: "POST", body: JSON.stringify(body) });
    notice.textContent = response.ok ? t("notifyOn") : t("failed");
    if (response.ok) $("notify-me").hidden = true;
  } catch (error) {
    notice.textContent = `${t("notifyUnsupported")} (${error.message})`;
  }
}

function start() {
  $("kiosk-title").textContent = t("welcome");
  document.title = `${t("welcome")} · ${cfg.storeName}`;
  for (const b of document.querySelectorAll("[data-dining]")) {
    b.onclick = () => { state.dining = b.dataset.dining; state.key = null; renderCart(); renderMenu(); };
  }
  $("place-order").onclick = placeOrder;
  $("new-order").onclick = reset;
  $("notify-me").onclick = notifyMe;
  $("lang-toggle").onclick = () => {
    document.cookie = `django_language=${lang() === "ja" ? "en" : "ja"}; path=/; max-age=31536000; SameSite=Lax`;
    location.reload();
  };
  renderCart();
  loadMenu();
  setInterval(loadMenu, MENU_REFRESH_MS);
  watchOrders((order) => {
    if (!order) { loadMenu(); if (state.order) refreshOrder(); return; }
    if (state.order && order.id === state.order.id) showStatus(order.status === "placed" ? "accepted" : order.status === "voided" ? "cancelled" : order.status);
  });
}

async function refreshOrder() {
  const response = await api(`/orders/${encodeURIComponent(state.order.idempotency_key)}`);
  if (response.ok) showStatus((await response.json()).status);
}

start();
