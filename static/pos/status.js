// What the cashier sees around the cart: the connection, the outbox (count,
// oldest, refused sales), recent orders with sales still queued first, the
// message line and storage warnings. Exports createStatus({ api, onBacklog })
// -> { read, showWaiting, render, refreshOrders }, and renderRecentOrders,
// message, showConnection, checkStorage.
import { t, yen } from "./i18n.js";
import * as outbox from "./outbox.js";
import { $ } from "./dom.js";

const STORAGE_WARN_RATIO = 0.8;
const NOTICE_SEEN = "pos.storageNoticeSeen"; // per device: the notice is shown on one page load only

export function message(text, kind = "") {
  const el = $("message");
  el.textContent = text;
  el.dataset.kind = kind;
}

export function showConnection(online, node) {
  const el = $("connection");
  el.dataset.state = online ? "online" : "offline";
  el.dataset.node = online && node ? node : "";
  el.textContent = online ? t("online") : t("offline");
  el.title = online && node ? node : "";
}

function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}${t("sec")}` : `${Math.floor(s / 60)}${t("min")}`;
}

/** ``onBacklog()`` runs when a node answered and sales still wait (send them now). */
export function createStatus({ api, onBacklog }) {
  // Reads of the outbox finish out of order (a status read begun before a sale's
  // transaction may resolve after it), so each read is numbered when it starts
  // and a read older than the one on screen is dropped: the count never steps
  // back to a state the outbox has already left. IndexedDB orders transactions on
  // the same store by creation, so a read numbered later saw every earlier write.
  const reads = { started: 0, shown: 0 };
  const orders = { recent: [] };

  function read() {
    return ++reads.started;
  }

  /** Show the outbox count read by ``read``; false when a newer read is already on screen. */
  function showWaiting(read, waiting) {
    if (read < reads.shown) return false;
    reads.shown = read;
    $("outbox-count").textContent = waiting;
    return true;
  }

  async function render() {
    const started = read();
    const [entries, refused] = await Promise.all([outbox.pending(), outbox.rejected()]).catch(() => [[], []]);
    if (!showWaiting(started, entries.length)) return;
    const oldest = entries[0];
    $("outbox-oldest").textContent = oldest ? `${t("oldest")} ${age(Date.now() - oldest.created)}` : "";
    const list = $("rejected-orders");
    list.hidden = !refused.length;
    list.replaceChildren(
      ...refused.map((r) => {
        const li = document.createElement("li");
        li.dataset.orderId = r.id;
        li.textContent = `${t("rejected")}: ${t("no")} ${r.order?.number ?? r.body.number} ${yen(r.total)} — ${r.status} ${r.detail}`;
        return li;
      }),
    );
    renderRecentOrders(orders.recent, entries);
  }

  async function refreshOrders() {
    try {
      const response = await api("/orders?limit=10");
      if (!response.ok) return;
      orders.recent = (await response.json()).items;
      const entries = await outbox.pending();
      renderRecentOrders(orders.recent, entries);
      if (entries.length) onBacklog(); // a node answers: send what waits now
    } catch {
      // offline: the status bar says so
    }
  }

  return { read, showWaiting, render, refreshOrders };
}

/** The one place recent orders are drawn: sales still in the outbox first,
 * then what the node reported. */
export function renderRecentOrders(items, queued = []) {
  const known = new Set(items.map((o) => o.id));
  // A queued payment (``path``) is for an order already listed: unpaid.js shows it.
  const waiting = queued.filter((e) => !known.has(e.id) && !e.path).reverse().map((e) => {
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
export async function checkStorage() {
  if (!navigator.storage) return;
  const persisted = (await navigator.storage.persisted?.()) || (await navigator.storage.persist?.().catch(() => false));
  const persistEl = $("storage-persist");
  persistEl.hidden = Boolean(persisted);
  persistEl.dataset.state = persisted ? "granted" : "refused";
  persistEl.textContent = t("persistRefused");
  showNoticeOnce(!persisted);
  const { usage = 0, quota = 0 } = (await navigator.storage.estimate?.().catch(() => ({}))) || {};
  const tight = quota > 0 && usage / quota > STORAGE_WARN_RATIO;
  $("storage-warning").textContent = t("storageTight");
  $("storage-warning").hidden = !tight;
}

// Unprotected storage is told once per device, with the cure (installing the
// app), not on every screen: a notice repeated at each load stops being read.
function showNoticeOnce(refused) {
  const notice = $("storage-notice");
  if (!refused) { notice.hidden = true; return; }
  if (!notice.hidden || localStorage.getItem(NOTICE_SEEN)) return;
  localStorage.setItem(NOTICE_SEEN, String(Date.now()));
  notice.hidden = false;
  $("storage-notice-close").onclick = () => { notice.hidden = true; };
}
