// The kitchen display: ticket cards per station, age colours, sound, bump and recall,
// acknowledgement of every ticket shown, and the connection state always in view.
import { config, lang, nameOf, t } from "./i18n.js";
import { KitchenFeed } from "./feed.js";
import { deviceToken, pairIfNeeded } from "./device.js";
import { isRevoked, showRevoked, wipeDevice } from "./revoked.js";

const authHeaders = () => ({ Authorization: `Bearer ${deviceToken()}` });
import { watchOrders } from "./order-status.js";

const cfg = config();
const board = document.querySelector('[data-testid="tickets"]');
const connection = document.querySelector('[data-testid="connection"]');
const banner = document.querySelector('[data-testid="offline-banner"]');
const tickets = new Map(); // id -> ticket, as the server last sent it
const acksSent = new Set(); // ticket ids acked on the current connection
const AMBER_MIN = 5;
const RED_MIN = 10;
const stationNames = new Map(cfg.stations.map((s) => [s.code, s]));

// Kitchen-only words, Japanese first; the shared ones come from i18n.js.
const WORDS = {
  ja: { readyTitle: "お渡し待ち", serve: "提供する", bump: "調理完了にする", recall: "1つ戻す", soundPrompt: "画面をタップすると新しい注文の音が鳴ります", reconnecting: "再接続中…", printerTrouble: "プリンタ異常", printed: "印刷済", reconnectIn: "再接続まで", sec: "秒", lost: "接続が切れています。再接続中…", soundOn: "音 ON", soundOff: "音 OFF", notSent: "送信できません（オフライン）" },
  en: { readyTitle: "Ready to hand over", serve: "Hand over", bump: "Mark ready", recall: "Recall last", soundPrompt: "Tap the screen to hear new orders", reconnecting: "reconnecting…", printerTrouble: "Printer problem", printed: "Printed", reconnectIn: "Reconnecting in", sec: "s", lost: "Connection lost. Reconnecting…", soundOn: "Sound on", soundOff: "Sound off", notSent: "Not sent (offline)" },
};
const w = (key) => WORDS[lang()][key] ?? key;

// --- sound ----------------------------------------------------------------
// On by default: browsers allow audio only after a touch, so until the first
// tap anywhere a prompt asks for it. The button turns it off (remembered on
// this screen) and on again.
const SOUND_KEY = "pos.kitchen.sound";
const sound = { ctx: null, wanted: localStorage.getItem(SOUND_KEY) !== "off" };
function soundButton() {
  const button = document.querySelector('[data-testid="sound"]');
  const prompt = document.querySelector('[data-testid="sound-prompt"]');
  const running = () => Boolean(sound.ctx && sound.ctx.state === "running");
  const label = () => {
    button.textContent = sound.wanted && running() ? w("soundOn") : w("soundOff");
    button.setAttribute("aria-pressed", String(sound.wanted && running()));
    prompt.hidden = !sound.wanted || running();
    prompt.textContent = w("soundPrompt");
  };
  // The first tap unlocks audio and still does what it was for (a bump): the
  // prompt leaves only once that tap is over, so nothing moves under the finger.
  let pressing = false;
  const unlock = async () => {
    try {
      sound.ctx ||= new AudioContext();
      await sound.ctx.resume();
    } catch { /* no audio device: the card still shows */ }
    if (!pressing) label();
  };
  document.addEventListener("pointerdown", () => {
    pressing = true;
    if (sound.wanted && !running()) unlock();
  }, { capture: true });
  const released = () => { pressing = false; setTimeout(label, 0); };
  document.addEventListener("click", released);
  document.addEventListener("pointercancel", released);
  button.addEventListener("click", async () => {
    sound.wanted = !(sound.wanted && running());
    localStorage.setItem(SOUND_KEY, sound.wanted ? "on" : "off");
    if (sound.wanted) { await unlock(); beep(); }
    label();
  });
  label();
}

function beep() {
  const ctx = sound.ctx;
  if (!sound.wanted || !ctx || ctx.state !== "running") return;
  const osc = ctx.createOscillator();
  osc.frequency.value = 880;
  osc.connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + 0.2);
}

// --- cards ----------------------------------------------------------------
// One card per order: at a station it holds that station's ticket; in the
// expediter's view (no station) it gathers the order's tickets of every
// station, so the whole order is seen — and bumped — in one place.
function card(group) {
  const ticket = group[0];
  const el = document.createElement("article");
  el.className = "ticket";
  el.setAttribute("data-testid", "ticket");
  el.dataset.orderId = ticket.order;
  el.dataset.ticketId = ticket.id;
  el.dataset.ticketIds = group.map((x) => x.id).join(",");
  el.dataset.station = group.map((x) => x.station).join(",");
  el.dataset.status = ticket.status;
  el.dataset.acked = String(group.every((x) => Boolean(x.acked_at)));
  el.innerHTML = `<header><span class="number" data-testid="ticket-number"></span><span class="dining"></span><span class="age" data-testid="ticket-age"></span></header>
    <div class="meta"><span class="printed" data-testid="ticket-printed" hidden></span></div>
    <div class="parts"></div><button type="button" class="bump" data-testid="bump"></button>`;
  el.querySelector(".number").textContent = `${t("no")} ${ticket.number}`;
  el.querySelector(".dining").textContent = t(ticket.dining);
  el.querySelector(".dining").dataset.dining = ticket.dining;
  if (ticket.course) {
    // A fired course: its own card under the order's number, saying which course.
    const course = document.createElement("span");
    course.className = "course";
    course.setAttribute("data-testid", "ticket-course");
    course.textContent = `${ticket.course.number}. ${nameOf(ticket.course)}`;
    el.dataset.course = String(ticket.course.number);
    el.querySelector(".meta").prepend(course);
  }
  if (group.some((x) => x.printed_at)) {
    const printed = el.querySelector(".printed");
    printed.hidden = false;
    printed.textContent = `🖨 ${w("printed")}`;
  }
  el.querySelector(".parts").replaceChildren(
    ...group.map((x) => {
      const part = document.createElement("div");
      const station = stationNames.get(x.station);
      if (!cfg.station) {
        const label = document.createElement("span");
        label.className = "station";
        label.textContent = station ? nameOf(station) : x.station;
        part.append(label);
      }
      const list = document.createElement("ul");
      list.className = "items";
      list.replaceChildren(...x.items.map(itemRow));
      if (x.note) part.append(noteLine(x.note, "ticket-note"));
      part.append(list);
      return part;
    }),
  );
  const bump = el.querySelector(".bump");
  bump.textContent = w("bump");
  bump.addEventListener("click", () => {
    for (const x of group) if (!feed.send({ type: "bump", ticket: x.id })) { flash(w("notSent")); return; }
  });
  return el;
}

function itemRow(item) {
  const li = document.createElement("li");
  li.innerHTML = `<b class="qty"></b> <span class="name"></span><small class="mods"></small>`;
  li.querySelector(".qty").textContent = `${item.qty}×`;
  li.querySelector(".name").textContent = nameOf(item);
  // A set's component says which set it belongs to (【唐揚げ定食】), then its modifiers.
  li.querySelector(".mods").textContent = [...(item.set ? [`【${nameOf(item.set)}】`] : []), ...item.modifiers.map(nameOf)].join("・");
  if (item.note) li.append(noteLine(item.note, "item-note"));
  return li;
}

// A kitchen note (アレルギー, 少なめ) in large type; textContent only: it is free text from a device.
function noteLine(text, testId) {
  const note = document.createElement("strong");
  note.className = "note";
  note.dataset.testid = testId;
  note.textContent = `★ ${text}`;
  return note;
}

function render() {
  const open = [...tickets.values()]
    .filter((x) => x.status === "open" && (!cfg.station || x.station === cfg.station))
    .sort((a, b) => a.placed_at.localeCompare(b.placed_at) || a.number - b.number);
  const byOrder = new Map();
  // A fired course is a card of its own, beside the order's earlier courses.
  const key = (x) => (x.course ? `${x.order}:${x.course.number}` : x.order);
  for (const x of open) byOrder.set(key(x), [...(byOrder.get(key(x)) || []), x]);
  board.replaceChildren(...[...byOrder.values()].map(card));
  document.querySelector('[data-testid="open-count"]').textContent = byOrder.size;
  ageTick();
  acknowledgeShown();
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

// Ack only what is on the board (rendered), once per connection; the server's
// "acked" answer marks it, and a reconnect re-sends what was never confirmed.
function acknowledgeShown() {
  for (const el of board.querySelectorAll(".ticket")) {
    for (const id of el.dataset.ticketIds.split(",")) {
      const ticket = tickets.get(id);
      if (ticket.acked_at || acksSent.has(ticket.id)) continue;
      if (feed.send({ type: "ack", ticket: ticket.id, confirm: true })) acksSent.add(ticket.id);
    }
  }
}

// --- connection state -------------------------------------------------------
let countdown = null;
function showState(name, detail) {
  if (name !== "online") acksSent.clear(); // a new connection re-sends unconfirmed acks
  connection.dataset.state = name;
  document.body.dataset.connection = name;
  clearInterval(countdown);
  const paint = () => {
    let text = t(name);
    if (name === "offline" && detail.retrying) {
      text += ` · ${w("reconnecting")}`;
    } else if (name === "offline" && detail.retryAt) {
      const secs = Math.max(0, Math.ceil((detail.retryAt - Date.now()) / 1000));
      text += ` · ${w("reconnectIn")} ${secs}${w("sec")}`;
    }
    connection.textContent = text;
  };
  paint();
  if (name === "offline") countdown = setInterval(paint, 500);
  banner.hidden = name === "online";
  banner.textContent = name === "online" ? "" : w("lost");
}

function flash(text) {
  banner.hidden = false;
  banner.textContent = text;
}

const feed = new KitchenFeed({
  station: cfg.station,
  screen: screenId(),
  onState: showState,
  onSnapshot(list) {
    tickets.clear();
    for (const ticket of list) tickets.set(ticket.id, ticket);
    render();
  },
  onTicket(event, ticket) {
    const known = tickets.has(ticket.id);
    tickets.set(ticket.id, ticket);
    if (event === "new" && !known) beep();
    render();
  },
  onAcked(id, at) {
    const ticket = tickets.get(id);
    if (ticket) ticket.acked_at = at;
    const el = board.querySelector(`[data-ticket-id="${id}"]`);
    if (el) el.dataset.acked = "true";
  },
  onReady: acknowledgeShown,
});

// A stable name for this screen, so acks say which screen saw a ticket.
function screenId() {
  let id = localStorage.getItem("pos.kitchen.screen");
  if (!id) {
    id = `screen-${Math.random().toString(36).slice(2, 10)}`;
    localStorage.setItem("pos.kitchen.screen", id);
  }
  return cfg.station ? `${cfg.station}/${id}` : id;
}

// Printer trouble (off, out of paper) is shown on every screen: the printers
// are the kitchen's fallback when a screen misses a ticket.
async function printerCheck() {
  const el = document.querySelector('[data-testid="printer-state"]');
  try {
    const response = await fetch("/api/kitchen/status", { headers: authHeaders() });
    if (await isRevoked(response)) return revoked();
    if (!response.ok) return;
    const { printers } = await response.json();
    const bad = printers.filter((p) => p.state === "error");
    el.hidden = bad.length === 0;
    el.textContent = bad.map((p) => `🖨 ${w("printerTrouble")} ${p.station}: ${p.detail}`).join(" / ");
  } catch { /* the connection state already says we are offline */ }
}

// --- expediter: ready orders waiting to be handed over ----------------------
async function readyRefresh() {
  const rail = document.querySelector('[data-testid="ready-orders"]');
  try {
    const response = await fetch("/api/kitchen/ready", { headers: authHeaders() });
    if (!response.ok) return;
    const { items } = await response.json();
    rail.hidden = items.length === 0;
    rail.querySelector("h2").textContent = w("readyTitle");
    rail.querySelector("ol").replaceChildren(...items.map(readyRow));
  } catch { /* offline: the connection state says so; the next ring refreshes */ }
}

function readyRow(order) {
  const li = document.createElement("li");
  li.setAttribute("data-testid", "ready-order");
  li.dataset.orderId = order.id;
  li.innerHTML = `<span class="number"></span> <span class="dining"></span> <button type="button" data-testid="serve"></button>`;
  li.querySelector(".number").textContent = `${t("no")} ${order.number}`;
  li.querySelector(".dining").textContent = t(order.dining);
  const serve = li.querySelector("button");
  serve.textContent = w("serve");
  serve.addEventListener("click", () => {
    if (!feed.send({ type: "served", order: order.id })) flash(w("notSent"));
  });
  return li;
}

if (!cfg.station) {
  readyRefresh();
  watchOrders(() => readyRefresh());
}

document.querySelector('[data-testid="recall"]').textContent = w("recall");
document.querySelector('[data-testid="recall"]').addEventListener("click", () => {
  if (!feed.send({ type: "recall" })) flash(w("notSent"));
});
// A revoked screen (the node said so on the printer check, every few seconds)
// stops, forgets its token and says why.
const timers = [];
let stopping = false;
async function revoked() {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  feed.stop();
  showRevoked(await wipeDevice(), location.pathname + location.search);
}

soundButton();
timers.push(setInterval(ageTick, 1000));
printerCheck();
timers.push(setInterval(printerCheck, 5000));
// For tests and benchmarks: the feed's cursor and counters (applied, duplicates, refetches).
window.posKitchen = { feed, tickets };
if (!pairIfNeeded()) feed.connect(); // with POS_DEMO=0 an unpaired screen pairs first
