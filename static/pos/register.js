// The register page: PIN, menu, cart with modifiers, dining, tenders, and recent
// orders with status. This module only wires the others to the page and starts
// them; it exports nothing.
// Every sale goes to the IndexedDB outbox first (payment.js, outbox.js) and is
// then sent (sync-client.js) to whichever of the store's nodes answers
// (failover.js); the screen works with no node at all.
import { config, lang, t } from "./i18n.js";
import { watchOrders } from "./order-status.js";
import { pairIfNeeded } from "./device.js";
import { $ } from "./dom.js";
import { createNodes } from "./failover.js";
import { createFlusher } from "./sync-client.js";
import { createLogin } from "./login.js";
import { createMenu } from "./menu.js";
import { createCart } from "./cart.js";
import { createCheckout } from "./payment.js";
import { checkStorage, createStatus, message, showConnection } from "./status.js";
import { createUpdates } from "./updates.js";
import { showRevoked, wipeDevice } from "./revoked.js";
import { createBusinessDay } from "./business-day.js";
import { showReceiptLink } from "./ereceipt.js";
import { createTender } from "./tender.js";
import { createUnpaid } from "./unpaid.js";
import { createAgeCheck } from "./age-check.js";
import { pinPad } from "./pinpad.js";
import { reportOutbox, useOwnRegister } from "./identity.js";

const cfg = config();
const nodes = createNodes({ peers: cfg.peers || [], onConnection: connectionChanged, onRevoked: revoked });
const { api } = nodes;
const status = createStatus({ api, onBacklog: () => flusher.schedule(0) });
const flusher = createFlusher({ api, onProgress: () => status.render(), onSent: (ids) => { status.refreshOrders(); showReceiptLink(api, ids); } });
const menu = createMenu({ api, onPick: async (item) => { if (await ageCheck(item)) cart.add(item); } });
const cart = createCart({ itemOf: menu.item });
const ageCheck = createAgeCheck({ cart });
const tender = createTender();
const updates = createUpdates({ isIdle: () => cart.isEmpty });
const checkout = createCheckout({
  cfg,
  cart,
  itemOf: menu.item,
  status,
  onQueued: () => flusher.schedule(0),
  afterSale: () => updates.reloadIfReady(),
});
const unpaid = createUnpaid({ api, tender, onQueued: () => { status.render(); flusher.schedule(0); } });
const businessDay = createBusinessDay({ api });
const login = createLogin({ api, store: cfg.store, onLogout: () => cart.clear() });

function connectionChanged(online, node, changed) {
  showConnection(online, node);
  if (changed && online) {
    // Back online: send what waited and look for a new release at once,
    // instead of waiting for the next timer tick.
    flusher.schedule(0);
    updates.check();
  }
}

const timers = [];

async function revoked() {
  // Nothing of this page runs on: no timer may redraw what the notice replaced.
  for (const timer of timers) clearInterval(timer);
  flusher.stop();
  showRevoked(await wipeDevice(), "/register/");
}

function payExact(method) {
  return () => checkout([{ method, amount: cart.totals().total }]);
}

/** The tender screen for the cart: cash by default, or card / QR with their approval. */
function tenderCart(method) {
  return () => {
    if (cart.isEmpty) { message(t("cartEmpty")); return; }
    tender.open({ due: cart.totals().total, title: t("checkout"), method, onSettle: checkout });
  };
}

function wire() {
  $("pin-input").after(pinPad($("pin-input")));
  document.querySelector(".pin-form").addEventListener("submit", (e) => { e.preventDefault(); login.login($("pin-input").value); });
  $("logout").addEventListener("click", login.logout);
  $("lang-toggle").addEventListener("click", () => {
    document.cookie = `django_language=${lang() === "ja" ? "en" : "ja"}; path=/; max-age=31536000; SameSite=Lax`;
    location.reload();
  });
  for (const b of document.querySelectorAll("[data-dining]")) {
    b.addEventListener("click", () => {
      for (const o of document.querySelectorAll("[data-dining]")) o.setAttribute("aria-pressed", String(o === b));
      cart.setDining(b.dataset.dining);
    });
  }
  $("pay-cash").addEventListener("click", payExact("cash")); // the public one-tap hook: exact cash
  $("pay-cash-open").addEventListener("click", tenderCart("cash"));
  $("pay-card").addEventListener("click", tenderCart("card"));
  $("pay-qr").addEventListener("click", tenderCart("qr"));
  $("cart-toggle").addEventListener("click", () => {
    const open = $("cart").dataset.open !== "true";
    $("cart").dataset.open = String(open);
    $("cart-toggle").setAttribute("aria-expanded", String(open));
  });
  $("cart-clear").addEventListener("click", cart.clear);
  // "online" only says the tablet has a network, not that a node answers:
  // flush, and let the answer (or its absence) set the status.
  addEventListener("online", () => flusher.flush());
  addEventListener("offline", nodes.lost);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") flusher.flush(); });
}

async function start() {
  wire();
  login.restore();
  $("app-version").textContent = cfg.version || "";
  updates.register();
  await nodes.learnNodes();
  await useOwnRegister(cfg, api);
  $("register-name").textContent = cfg.register;
  try {
    await menu.load();
  } catch (error) {
    message(`${t("noMenu")}: ${error}`, "error");
  }
  cart.render();
  await status.render();
  flusher.flush();
  status.refreshOrders();
  unpaid.refresh();
  businessDay.refresh();
  reportOutbox(cfg, api);
  checkStorage();
  timers.push(
    setInterval(status.refreshOrders, 3000),
    setInterval(unpaid.refresh, 3000),
    setInterval(businessDay.refresh, 10000),
    setInterval(() => reportOutbox(cfg, api), 10000),
    setInterval(status.render, 1000),
    setInterval(checkStorage, 60000),
    setInterval(updates.check, 60000),
  );
  // live: in kitchen / ready the moment it happens; the menu again when an item is sold out
  watchOrders(() => { status.refreshOrders(); unpaid.refresh(); }, { onMenu: () => menu.load().catch(() => {}) });
  document.body.dataset.ready = "true";
}

if (!pairIfNeeded()) start(); // with POS_DEMO=0 an unpaired tablet pairs first
