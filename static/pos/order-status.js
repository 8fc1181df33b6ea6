// Live order status for the register: a WebSocket on /ws/orders/ that calls
// onOrder(order) whenever an order's kitchen status may have changed
// (placed, in kitchen, ready, recalled, voided). The socket is a doorbell: on
// every (re)connect it calls onOrder(null), meaning "refetch your list", since
// changes made while it was away are not replayed.
import { backoffDelay } from "./feed.js";
import { socketProtocols } from "./device.js";

const PING_EVERY_MS = 10000;

export function watchOrders(onOrder, { onState = () => {}, onMenu = () => {} } = {}) {
  let attempt = 0;
  let socket = null;
  let timer = null;
  let pinger = null;
  let awaitingPong = false;

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const current = new WebSocket(`${proto}//${location.host}/ws/orders/`, socketProtocols());
    socket = current;
    awaitingPong = false;
    current.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "hello") { attempt = 0; onState("online"); onOrder(null); onMenu(); }
      else if (message.type === "menu") onMenu(); // sold out, back, or a new price: reload the menu
      else if (message.type === "order") onOrder(message.order);
      else if (message.type === "pong") awaitingPong = false;
    };
    current.onclose = () => { if (socket === current) lost(); };
    current.onerror = () => current.close();
    setTimeout(() => { if (socket === current && current.readyState === WebSocket.CONNECTING) { lost(); current.close(); } }, 5000);
    clearInterval(pinger);
    pinger = setInterval(() => {
      if (current.readyState !== WebSocket.OPEN) return;
      if (awaitingPong) { lost(); current.close(); return; }
      awaitingPong = true;
      current.send(JSON.stringify({ type: "ping" }));
    }, PING_EVERY_MS);
  }

  function lost() {
    socket = null;
    clearInterval(pinger);
    onState("offline");
    clearTimeout(timer);
    timer = setTimeout(connect, backoffDelay(attempt++));
  }

  connect();
  return { close() { clearTimeout(timer); clearInterval(pinger); const s = socket; socket = null; if (s) s.close(); } };
}
