// Which register this tablet is: its name and ticket-number block (lane).
// Demo tablets share one device token, so each asks a node once for a name of
// its own and keeps it in this browser; two tablets never number from the same
// block. Until a node answers (first start offline) it sells as the page says.
import * as outbox from "./outbox.js";

const KEY = "pos.register";

/** Set cfg.register and cfg.lane to this browser's identity, claiming one if it has none. */
export async function useOwnRegister(cfg, api) {
  const kept = JSON.parse(localStorage.getItem(KEY) || "null");
  if (kept && kept.store === cfg.store) { Object.assign(cfg, { register: kept.register, lane: kept.lane }); return; }
  if (!cfg.token) return; // a paired tablet: its pairing named it
  try {
    const response = await api("/registers/claim", { method: "POST" });
    if (!response.ok) return;
    const { register, lane } = await response.json();
    localStorage.setItem(KEY, JSON.stringify({ store: cfg.store, register, lane }));
    Object.assign(cfg, { register, lane });
  } catch {
    // no node yet: the next start claims
  }
}

/** Tell a node how many sales this tablet still holds (the manager's Z close
 * reads it); quiet when no node answers, which the node sees as silence. */
export async function reportOutbox(cfg, api) {
  try {
    const waiting = (await outbox.pending()).length;
    await api("/registers/outbox", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ register: cfg.register, waiting }),
    });
  } catch {
    // unreachable: the next check-in reports
  }
}
