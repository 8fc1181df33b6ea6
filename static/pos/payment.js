// Taking payment: the cart becomes a sale in the outbox, numbered from the
// register's own block, before anything is sent, so the customer gets the
// number at once, online or not. Exports createCheckout({ cfg, cart, itemOf,
// status, onQueued, afterSale }) -> checkout(payments) (resolves true once queued).
import { nameOf, t, yen } from "./i18n.js";
import * as outbox from "./outbox.js";
import { message } from "./status.js";

/** The store's trading day as the register sees it: the local date, in the
 * store's time zone, of (now - cut-over). Keys the register's ticket counter. */
function businessDay(cfg) {
  const [h, m] = (cfg.cutover || "04:00").split(":").map(Number);
  const shifted = new Date(Date.now() - (h * 60 + m) * 60000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timeZone || "Asia/Tokyo", year: "numeric", month: "2-digit", day: "2-digit" }).format(shifted);
}

/** ``status`` is status.js's outbox view; ``onQueued()`` runs once a sale is
 * queued and shown (start sending), ``afterSale()`` once checkout is over. */
export function createCheckout({ cfg, cart, itemOf, status, onQueued, afterSale }) {
  const till = { checkingOut: false };

  async function checkout(payments) {
    if (cart.isEmpty) { message(t("cartEmpty")); return false; }
    // A double tap on "pay" must not ring the same cart up twice.
    if (till.checkingOut) return false;
    till.checkingOut = true;
    let queued;
    try {
      queued = await recordSale(payments);
    } finally {
      till.checkingOut = false;
    }
    afterSale();
    return queued;
  }

  async function recordSale(payments) {
    // Everything about the sale is taken from the screen before the first await.
    const { total } = cart.totals();
    const body = {
      id: crypto.randomUUID(),
      register: cfg.register,
      dining: cart.dining,
      lines: cart.lines.map((l) => ({ sku: l.sku, qty: l.qty, modifiers: [...l.modifiers], ...(l.note ? { note: l.note } : {}) })),
      ...(cart.note ? { note: cart.note } : {}),
      // When it was rung up: a sale sent later (offline) keeps the menu window's price of this moment.
      rung_at: new Date().toISOString(),
      payments,
    };
    const prices = cart.lines.map((l) => ({ sku: l.sku, qty: l.qty, unit_price: cart.unitPrice(l), name: nameOf(itemOf(l.sku)) }));
    // The tap path is this one IndexedDB transaction and nothing else: no
    // network, no further reads. Sending starts only once the sale is shown.
    const read = status.read();
    let number, waiting;
    try {
      ({ number, waiting } = await outbox.record({ id: body.id, body, prices, total, created: Date.now() }, cfg.lane, businessDay(cfg)));
    } catch (error) {
      message(`${t("notSaved")}: ${error}`, "error");
      return false;
    }
    // The count goes up before the cart clears, so the screen never shows a sale
    // that is neither in the cart nor counted as waiting.
    status.showWaiting(read, waiting);
    cart.clear();
    message(`${t("no")} ${number} ${t("accepted")} ${yen(total)}${change(payments, total)}`, "ok");
    status.render(); // the oldest's age and the queued line in recent orders, after the count
    onQueued();
    return true;
  }

  return checkout;
}

function change(payments, total) {
  const cash = payments.filter((p) => p.method === "cash").reduce((sum, p) => sum + p.amount, 0);
  const paid = payments.reduce((sum, p) => sum + p.amount, 0);
  return cash && paid > total ? ` ${t("change")} ${yen(paid - total)}` : "";
}
