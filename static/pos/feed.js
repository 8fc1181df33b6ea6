// Kitchen feed client: WebSocket with resume, de-duplication, gap detection and
// reconnect with exponential backoff and jitter. The server's database is the
// truth; this keeps a cursor (epoch + last sequence) and asks for everything after it.

export class KitchenFeed {
  constructor({ station = "", onSnapshot, onTicket, onState }) {
    this.station = station;
    this.onSnapshot = onSnapshot;
    this.onTicket = onTicket;
    this.onState = onState;
    this.epoch = null;
    this.seq = 0;
    this.attempt = 0;
    this.socket = null;
  }

  url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = this.station ? `?station=${encodeURIComponent(this.station)}` : "";
    return `${proto}//${location.host}/ws/kitchen/${q}`;
  }

  connect() {
    this.onState("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = (event) => this.handle(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.onState("offline");
      this.retry();
    };
    socket.onerror = () => socket.close();
    clearInterval(this.pinger);
    // A socket through a dead Wi-Fi may never report close; a ping that gets
    // no answer within the next interval tears it down so the resume runs.
    this.pinger = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (this.awaitingPong) { socket.close(); return; }
      this.awaitingPong = true;
      socket.send(JSON.stringify({ type: "ping" }));
    }, 5000);
  }

  retry() {
    const base = Math.min(10000, 250 * 2 ** this.attempt);
    this.attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  handle(message) {
    switch (message.type) {
      case "hello":
        this.attempt = 0;
        this.awaitingPong = false;
        this.onState("online");
        if (this.epoch === message.epoch) this.send({ type: "resume", after: this.seq, epoch: this.epoch });
        else this.send({ type: "snapshot" });
        break;
      case "snapshot":
        this.epoch = message.epoch;
        this.seq = message.seq;
        this.onSnapshot(message.tickets);
        break;
      case "reset":
        this.epoch = null;
        break;
      case "ticket":
        if (message.seq <= this.seq) return; // a duplicate: already applied
        if (message.prev > this.seq) {
          // Something between our cursor and this message never reached us.
          this.send({ type: "snapshot" });
          return;
        }
        this.seq = message.seq;
        this.onTicket(message.event, message.ticket);
        break;
      case "pong":
        this.awaitingPong = false;
        break;
      default:
        break;
    }
  }
}
