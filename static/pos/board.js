// The counter's status board: numbers being prepared and "now serving".
// Fed live by the order-status doorbell (/ws/orders/): each message carries
// the order's current status, so a bump shows up without a refetch; on every
// (re)connect the whole board is refetched, since rings sent while the board
// was away are not replayed.
import { watchOrders } from "./order-status.js";
import { t } from "./channels-i18n.js";

const preparing = new Map(); // order id or "n<number>" -> number
const ready = new Map();
const prepList = document.querySelector('[data-testid="board-preparing"]');
const readyList = document.querySelector('[data-testid="board-ready"]');
const conn = document.querySelector('[data-testid="connection"]');

function render(list, entries, fresh = new Set()) {
  list.replaceChildren(...[...entries].map(([key, number]) => {
    const li = document.createElement("li");
    li.textContent = number;
    li.dataset.number = number;
    if (fresh.has(key)) li.className = "fresh";
    return li;
  }));
}

async function refetch() {
  const response = await fetch("/api/integrations/board", { cache: "no-store" });
  if (!response.ok) return;
  const board = await response.json();
  preparing.clear(); ready.clear();
  board.preparing.forEach((n) => preparing.set(`n${n}`, n));
  board.ready.forEach((n) => ready.set(`n${n}`, n));
  render(prepList, preparing); render(readyList, ready);
}

function forget(number) {
  // Entries from a refetch are keyed by number, live ones by order id.
  for (const map of [preparing, ready]) {
    for (const [key, n] of map) if (n === number) map.delete(key);
  }
}

function apply(order) {
  forget(order.number);
  let fresh = new Set();
  if (order.status === "ready") {
    // Newest first, as the server orders them.
    const entries = [[order.id, order.number], ...ready];
    ready.clear(); entries.forEach(([k, n]) => ready.set(k, n));
    fresh = new Set([order.id]);
  } else if (order.status === "placed" || order.status === "in_kitchen") {
    preparing.set(order.id, order.number);
  } // served or voided: gone from the board
  render(prepList, preparing); render(readyList, ready, fresh);
}

watchOrders((order) => (order ? apply(order) : refetch()), {
  onState: (state) => { conn.dataset.state = state; conn.textContent = t(state); },
});
