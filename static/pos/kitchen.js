// The kitchen display: ticket cards per station, age colours, sound, bump and recall.
import { config, nameOf, t } from "./i18n.js";
import { KitchenFeed } from "./feed.js";

const cfg = config();
const board = document.querySelector('[data-testid="tickets"]');
const tickets = new Map(); // id -> ticket
const AMBER_MIN = 5;
const RED_MIN = 10;

function beep() {
  try {
    const ctx = (beep.ctx ||= new AudioContext());
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.15);
  } catch {
    // No audio until the screen has been touched once; the card still shows.
  }
}

function card(ticket) {
  const el = document.createElement("article");
  el.className = "ticket";
  el.setAttribute("data-testid", "ticket");
  el.dataset.orderId = ticket.order;
  el.dataset.ticketId = ticket.id;
  el.dataset.status = ticket.status;
  el.innerHTML = `<header><span class="number"></span><span class="dining"></span><span class="age" data-testid="ticket-age"></span></header>
    <ul class="items"></ul><button type="button" class="bump" data-testid="bump"></button>`;
  el.querySelector(".number").textContent = `${t("no")} ${ticket.number}`;
  el.querySelector(".dining").textContent = t(ticket.dining);
  el.querySelector(".dining").dataset.dining = ticket.dining;
  el.querySelector(".items").replaceChildren(
    ...ticket.items.map((item) => {
      const li = document.createElement("li");
      li.innerHTML = `<b class="qty"></b> <span class="name"></span><small class="mods"></small>`;
      li.querySelector(".qty").textContent = `${item.qty}×`;
      li.querySelector(".name").textContent = nameOf(item);
      li.querySelector(".mods").textContent = item.modifiers.map(nameOf).join("・");
      return li;
    }),
  );
  const bump = el.querySelector(".bump");
  bump.textContent = t("bump");
  bump.addEventListener("click", () => feed.send({ type: "bump", ticket: ticket.id }));
  return el;
}

function render() {
  const open = [...tickets.values()].filter((x) => x.status === "open").sort((a, b) => a.placed_at.localeCompare(b.placed_at));
  board.replaceChildren(...open.map(card));
  document.querySelector('[data-testid="open-count"]').textContent = open.length;
  ageTick();
}

function ageTick() {
  const now = Date.now();
  for (const el of board.querySelectorAll(".ticket")) {
    const ticket = tickets.get(el.dataset.ticketId);
    const minutes = Math.max(0, (now - Date.parse(ticket.placed_at)) / 60000);
    el.dataset.age = minutes >= RED_MIN ? "red" : minutes >= AMBER_MIN ? "amber" : "green";
    const m = Math.floor(minutes);
    const s = Math.floor((minutes - m) * 60);
    el.querySelector(".age").textContent = `${m}:${String(s).padStart(2, "0")}`;
  }
}

function acknowledge(ticket) {
  if (ticket.status === "open" && !ticket.acked_at) feed.send({ type: "ack", ticket: ticket.id });
}

const feed = new KitchenFeed({
  station: cfg.station,
  onState(stateName) {
    const el = document.querySelector('[data-testid="connection"]');
    el.dataset.state = stateName;
    el.textContent = t(stateName);
  },
  onSnapshot(list) {
    tickets.clear();
    for (const ticket of list) tickets.set(ticket.id, ticket);
    render();
    list.forEach(acknowledge);
  },
  onTicket(event, ticket) {
    const known = tickets.has(ticket.id);
    tickets.set(ticket.id, ticket);
    render();
    if (event === "new" && !known) beep();
    acknowledge(ticket);
  },
});

document.querySelector('[data-testid="recall"]').addEventListener("click", () => feed.send({ type: "recall" }));
setInterval(ageTick, 1000);
feed.connect();
