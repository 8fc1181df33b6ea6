// Choosing the store's node: every API call of the register goes through api(),
// which tries the node that answered last, then the others, and reports whether
// any node answers. Exports createNodes({ peers, onConnection, onRevoked }) ->
// { api, learnNodes, lost, node }; api throws when no node answers, and for
// good once a node said this device is revoked.
//
// The register knows its own node (the page's origin), the siblings the page was
// served with, and the peers /api/health reported (cached on the device).
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { deviceToken } from "./device.js";
import { isRevoked } from "./revoked.js";

const REQUEST_TIMEOUT_MS = 5000;

class Unreachable extends Error {}
class Revoked extends Error {}

function headers(extra = {}) {
  const h = { "Content-Type": "application/json", Accept: "application/json" };
  const token = deviceToken();
  if (token) h.Authorization = `Bearer ${token}`;
  return { ...h, ...extra };
}

/** ``onConnection(online, node, changed)`` runs after every answer (online) and
 * every call no node answered (offline); ``changed`` when that flipped.
 * ``onRevoked()`` runs once, on the first answer saying the device is revoked. */
export function createNodes({ peers = [], onConnection, onRevoked = () => {} }) {
  const link = { node: null, nodes: [], online: null, revoked: false };

  function configured() {
    return [location.origin, ...peers, ...link.nodes];
  }

  function candidates() {
    const all = [...new Set(configured())];
    return link.node ? [link.node, ...all.filter((n) => n !== link.node)] : all;
  }

  function setConnection(online) {
    const changed = link.online !== online;
    link.online = online;
    onConnection(online, link.node, changed);
  }

  /** The response of the first node that answers; a node answering 5xx (starting,
   * overloaded) only counts when no other node answers better. Unreachable when none answers. */
  async function api(path, options = {}) {
    if (link.revoked) throw new Revoked(t("revokedTitle"));
    let fallback = null;
    for (const base of candidates()) {
      let response;
      try {
        response = await fetch(`${base}/api${path}`, {
          ...options,
          headers: headers(options.headers),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch {
        continue; // this node is down or unreachable: try the next one
      }
      if (response.status >= 500) { fallback = fallback || { base, response }; continue; }
      if (await isRevoked(response)) revoked(); // throws
      return answered(base, response);
    }
    if (fallback) return answered(fallback.base, fallback.response);
    setConnection(false);
    throw new Unreachable(t("noNode"));
  }

  function revoked() {
    if (!link.revoked) { link.revoked = true; onRevoked(); }
    throw new Revoked(t("revokedTitle"));
  }

  function answered(base, response) {
    // Remembered across reloads: with its own node hung rather than down, the
    // page would otherwise wait out a timeout on every request before failing over.
    if (link.node !== base) localStorage.setItem("pos.node", base);
    link.node = base;
    setConnection(true);
    return response;
  }

  async function learnNodes() {
    link.nodes = (await outbox.kvGet("nodes").catch(() => null)) || [];
    const last = localStorage.getItem("pos.node");
    if (last && configured().includes(last)) link.node = last;
    try {
      const response = await api("/health");
      if (!response.ok) return;
      const health = await response.json();
      const found = (health.peers || []).map((p) => p.url).filter(Boolean);
      link.nodes = [...new Set([...link.nodes, ...found])];
      await outbox.kvSet("nodes", link.nodes);
    } catch {
      // offline: the cached list will do
    }
  }

  return {
    api,
    learnNodes,
    /** The tablet lost its network: no node answers until one does again. */
    lost: () => setConnection(false),
    get node() { return link.node; },
  };
}
