// Kitchen feed client: WebSocket with resume, de-duplication, gap detection and
// reconnect with exponential backoff and jitter. The server's database is the
// truth; this keeps a cursor (epoch + last sequence) and asks for everything after it.
//
// Rules (see kitchen/consumers.py for the server's side):
// - a ticket whose seq is at or below the cursor was applied already: dropped;
// - a ticket whose prev is above the cursor means something never arrived: the
//   screen asks for a full snapshot and ignores tickets until it comes;
// - between a resume and the server's "resumed" answer, tickets are ignored:
//   the server sends them again after the answer, from the screen's cursor.
import { socketProtocols } from "./device.js";

const PING_EVERY_MS = 5000;
const CONNECT_TIMEOUT_MS = 5000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10000;

export function backoffDelay(attempt, random = Math.random) {
  // Exponential, capped, with jitter over the upper half so a kitchen's
  // screens do not all reconnect in the same instant after a node restarts.
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  return base / 2 + random() * (base / 2);
}

export class KitchenFeed {
  constructor({ station = "", screen = "", onSnapshot, onTicket, onAcked = () => {}, onReady = () => {}, onState }) {
    Object.assign(this, { station, screen, onSnapshot, onTicket, onAcked, onReady, onState });
    this.epoch = null;
    this.seq = 0;
    this.attempt = 0;
    this.socket = null;
    this.waiting = null; // null | "resumed" | "snapshot"
    this.stats = { applied: 0, duplicates: 0, ignored: 0, refetches: 0, connects: 0 };
    addEventListener("online", () => this.reconnectNow());
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = new URLSearchParams();
    if (this.station) q.set("station", this.station);
    if (this.screen) q.set("screen", this.screen);
    const qs = q.toString();
    return `${proto}//${location.host}/ws/kitchen/${qs ? `?${qs}` : ""}`;
  }

  connect() {
    clearTimeout(this.timer);
    // "connecting" only before the first hello; after a loss the screen stays
    // "offline" until it is live again, however many attempts that takes.
    if (this.stats.connects === 0) this.setState("connecting");
    else this.setState("offline", { retrying: true });
    const socket = new WebSocket(this.url(), socketProtocols());
    this.socket = socket;
    this.awaitingPong = false;
    socket.onmessage = (event) => {
      if (this.socket === socket) this.handle(JSON.parse(event.data));
    };
    socket.onclose = () => {
      if (this.socket === socket) this.lost();
    };
    socket.onerror = () => socket.close();
    // A connect through a dead link can hang without ever failing.
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) this.drop(socket);
    }, CONNECT_TIMEOUT_MS);
    clearInterval(this.pinger);
    // A socket through a dead Wi-Fi may never report close; a ping with no
    // answer by the next interval drops it so the resume runs. The ping also
    // makes the server flush, which covers a doorbell lost in a full channel.
    this.pinger = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (this.awaitingPong) { this.drop(socket); return; }
      this.awaitingPong = true;
      socket.send(JSON.stringify({ type: "ping" }));
    }, PING_EVERY_MS);
  }

  drop(socket) {
    // Do not wait for close(): on a dead link its handshake can hang for minutes.
    if (this.socket === socket) this.lost();
    try { socket.close(); } catch { /* already closed */ }
  }

  lost() {
    this.socket = null;
    this.waiting = null;
    this.pages = null;
    clearInterval(this.pinger);
    this.retry();
  }

  retry() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.setState("offline", { retryAt: Date.now() + delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Close for good, with no reconnect (the device was revoked). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.connectTimer);
    clearInterval(this.pinger);
    const socket = this.socket;
    this.socket = null;
    try { socket?.close(); } catch { /* already closed */ }
  }

  reconnectNow() {
    if (this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  setState(name, detail = {}) {
    this.state = name;
    this.onState(name, detail);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  refetch() {
    this.stats.refetches += 1;
    this.waiting = "snapshot";
    this.send({ type: "snapshot" });
  }

  handle(message) {
    switch (message.type) {
      case "hello":
        this.attempt = 0;
        this.stats.connects += 1;
        this.setState("online");
        if (this.epoch === message.epoch) {
          this.waiting = "resumed";
          this.send({ type: "resume", after: this.seq, epoch: this.epoch });
        } else {
          this.waiting = "snapshot";
          this.send({ type: "snapshot" });
        }
        break;
      case "resumed":
        if (this.waiting === "resumed" && message.seq === this.seq) {
          this.waiting = null;
          this.onReady();
        }
        break;
      case "reset":
        // The server follows a reset with a snapshot.
        this.epoch = null;
        this.waiting = "snapshot";
        break;
      case "snapshot":
        // A long backlog comes in pages ("more"), sent one after the other
        // before anything else: the screen shows it once it has all of it.
        this.epoch = message.epoch;
        this.seq = message.seq;
        this.pages = message.tickets.slice();
        if (message.more) break;
        this.snapshotDone();
        break;
      case "snapshot.page":
        if (this.waiting !== "snapshot" || !this.pages || message.seq !== this.seq) break;
        this.pages.push(...message.tickets);
        if (!message.more) this.snapshotDone();
        break;
      case "ticket":
        this.ticket(message);
        break;
      case "acked":
        this.onAcked(message.ticket, message.at);
        break;
      case "pong":
        this.awaitingPong = false;
        break;
      default:
        break;
    }
  }

  snapshotDone() {
    const tickets = this.pages;
    this.pages = null;
    this.waiting = null;
    this.onSnapshot(tickets);
    this.onReady();
  }

  ticket(message) {
    if (this.waiting) { this.stats.ignored += 1; return; }
    if (message.seq <= this.seq) { this.stats.duplicates += 1; return; }
    if (message.prev > this.seq) { this.refetch(); return; }
    this.seq = message.seq;
    this.stats.applied += 1;
    this.onTicket(message.event, message.ticket);
  }
}
