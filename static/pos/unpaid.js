// The 未会計 (unpaid) list: orders from any channel (kiosk, QR, table) that
// still owe money, polled from a node every few seconds and kept on the device,
// so the cashier can take payment for them with no node answering. A payment is
// queued in the outbox like a sale (keyed by its own UUID: the node applies it
// once however often it is sent) and the order leaves the list at once.
// Exports createUnpaid({ api, tender, onQueued }) -> { refresh, render }.
import { t, yen } from "./i18n.js";
import * as outbox from "./outbox.js";
import { $ } from "./dom.js";
import { message } from "./status.js";

const LIMIT = 50;
// A list fetched just before a payment reached the node still shows the order
// as owing: it stays off the screen this long after it was paid here.
const PAID_HIDE_MS = 30_000;

/** ``tender`` is tender.js's screen; ``onQueued(waiting)`` runs once a payment is queued. */
export function createUnpaid({ api, tender, onQueued }) {
  const shown = { orders: [], paidHere: new Map() };

  async function refresh() {
    try {
      const response = await api(`/orders?unpaid=true&limit=${LIMIT}`);
      if (!response.ok) return render();
      shown.orders = (await response.json()).items;
      await outbox.kvSet("unpaid", shown.orders);
    } catch {
      // no node answers: the list last seen, kept on the device
      if (!shown.orders.length) shown.orders = (await outbox.kvGet("unpaid").catch(() => null)) || [];
    }
    return render();
  }

  async function render() {
    // An order whose payment is still in the outbox is paid as far as the cashier is concerned.
    const queued = new Set((await outbox.pending().catch(() => [])).map((e) => e.order?.id).filter(Boolean));
    for (const [id, at] of shown.paidHere) if (Date.now() - at > PAID_HIDE_MS) shown.paidHere.delete(id);
    const orders = shown.orders.filter((o) => !queued.has(o.id) && !shown.paidHere.has(o.id) && o.balance_due > 0);
    $("unpaid-count").textContent = orders.length;
    $("unpaid").dataset.count = orders.length;
    $("unpaid-orders").replaceChildren(...orders.map(orderItem));
  }

  function orderItem(order) {
    const li = document.createElement("li");
    li.dataset.orderId = order.id;
    li.setAttribute("data-testid", "unpaid-order");
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = `${t("no")} ${order.number} · ${channel(order.register)} · ${t(order.dining)}`;
    const due = document.createElement("b");
    due.textContent = yen(order.balance_due);
    const pay = document.createElement("button");
    pay.type = "button";
    pay.className = "primary";
    pay.setAttribute("data-testid", "unpaid-pay");
    pay.textContent = t("payThis");
    pay.addEventListener("click", () => payFor(order));
    li.append(label, due, pay);
    return li;
  }

  function payFor(order) {
    tender.open({
      due: order.balance_due,
      title: `${t("no")} ${order.number}`,
      onSettle: (payments) => queuePayment(order, payments),
    });
  }

  async function queuePayment(order, payments) {
    const id = crypto.randomUUID();
    let waiting;
    try {
      ({ waiting } = await outbox.recordPayment({
        id, created: Date.now(), path: `/orders/${order.id}/payments`, body: { id, payments },
        prices: [], total: order.balance_due, order: { id: order.id, number: order.number },
      }));
    } catch (error) {
      message(`${t("notSaved")}: ${error}`, "error");
      return false;
    }
    shown.paidHere.set(order.id, Date.now());
    message(`${t("no")} ${order.number} ${t("paidQueued")} ${yen(order.balance_due)}`, "ok");
    await render();
    onQueued(waiting);
    return true;
  }

  return { refresh, render };
}

function channel(register) {
  const kind = String(register || "").split(":")[0];
  return ["kiosk", "qr", "table"].includes(kind) ? t(`channel_${kind}`) : register;
}
