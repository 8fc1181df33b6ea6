// Which register this tablet is: its name and ticket-number block (lane).
// Demo tablets share one device token, so each asks a node once for a name of
// its own and keeps it in this browser; two tablets never number from the same
// block. Until a node answers (first start offline) it sells as the page says.
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
