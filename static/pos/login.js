// Staff login: the PIN screen, the shift it opens and logging out, online
// through a node or offline with PINs this device saw accepted before.
// Exports createLogin({ api, store, onLogout }) -> { login, logout, restore }.
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { $ } from "./dom.js";

// Offline login: after a node accepts a PIN, the device keeps a PBKDF2 digest
// of it (random per-device salt, the store, many iterations) with the staff
// member's name and role, sealed in IndexedDB (outbox.js), so the same PIN
// opens the register when no node answers. It never keeps a PIN. A 4-digit PIN
// cannot resist a patient search whatever the KDF; the slow KDF makes each
// guess cost ~0.4 s (headless Chromium, 2 cores), the sealing keeps the digests out of a
// copy of the storage, and revocation (revoked.js) erases them. A node's
// "wrong PIN" forgets the cached one (a changed or removed PIN).
const PIN_ITERATIONS = 600_000; // OWASP's figure for PBKDF2-HMAC-SHA256
const KEEP_MS = 30 * 24 * 3600 * 1000; // a login unused for a month is forgotten
const MAX_LOGINS = 50;
// Digests an older release kept with one fast SHA-256 each: sealed in place on
// first load, honoured for a week so a tablet cut off just after the update
// still opens, upgraded to PBKDF2 when used, and then gone.
const LEGACY_KEEP_MS = 7 * 24 * 3600 * 1000;

const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));

/** ``store`` salts the PIN digests; ``onLogout()`` drops the cashier's cart. */
export function createLogin({ api, store, onLogout }) {
  const shift = { staff: null };

  function showTill() {
    $("pin-screen").hidden = true;
    $("till").hidden = false;
    $("logout").hidden = false;
    $("staff-name").textContent = shift.staff ? shift.staff.name : "";
  }

  async function pinDigest(pin, salt) {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(`${store}:${pin}`), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: unhex(salt), iterations: PIN_ITERATIONS }, material, 256);
    return hex(bits);
  }

  /** The stored cache, pruned; ``fallback`` (else a new salt) when there is none. */
  async function loadCache(fallback = null) {
    const cache = (await outbox.kvGet("pinCache")) || fallback || { salt: hex(crypto.getRandomValues(new Uint8Array(16))), logins: {} };
    const now = Date.now();
    const fresh = Object.entries(cache.logins).filter(([, e]) => now - e.seen < KEEP_MS).sort((a, b) => b[1].seen - a[1].seen);
    cache.logins = Object.fromEntries(fresh.slice(0, MAX_LOGINS));
    return cache;
  }

  // The slow digest starts with the request, not after it: it is ready by the
  // time the node answers instead of keeping the till waiting, or being cut
  // short by a reload, after the answer.
  function digestOf(pin) {
    const pending = loadCache().then(async (cache) => ({ cache, digest: await pinDigest(pin, cache.salt) }));
    pending.catch(() => {});
    return pending;
  }

  async function remember(digestP, staff) {
    const { cache: first, digest } = await digestP;
    const cache = await loadCache(first); // again: another tab may have written since
    if (cache.salt !== first.salt) return; // ...and made the cache first: its next login is remembered
    cache.logins[digest] = { staff, seen: Date.now() };
    await outbox.kvSet("pinCache", cache);
  }

  async function forget(digestP) {
    const { cache: first, digest } = await digestP;
    const cache = await loadCache(first);
    delete cache.logins[digest];
    await outbox.kvSet("pinCache", cache);
  }

  async function offlineLookup(pin, digestP) {
    const { cache: first, digest } = await digestP;
    const cache = await loadCache(first);
    const known = cache.logins[digest]?.staff || (await legacyTake(pin));
    if (!known) return null;
    if (cache.salt !== first.salt) return known;
    cache.logins[digest] = { staff: known, seen: Date.now() };
    await outbox.kvSet("pinCache", cache);
    return known;
  }

  // --- the older release's fast digests, on their way out -------------------
  async function legacyMove() {
    const [logins, salt] = [await outbox.kvGet("staffLogins"), await outbox.kvGet("pinSalt")];
    if (logins && salt && Object.keys(logins).length) {
      await outbox.kvSet("legacyLogins", { salt, logins, until: Date.now() + LEGACY_KEEP_MS });
    }
    if (logins !== undefined) await outbox.kvDelete("staffLogins");
    if (salt !== undefined) await outbox.kvDelete("pinSalt");
  }

  /** The staff member an older release cached for ``pin``, removed from that cache. */
  async function legacyTake(pin) {
    const legacy = await outbox.kvGet("legacyLogins");
    if (!legacy) return null;
    if (Date.now() > legacy.until) { await outbox.kvDelete("legacyLogins"); return null; }
    const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${legacy.salt}:${store}:${pin}`));
    const staff = legacy.logins[hex(bytes)];
    if (!staff) return null;
    delete legacy.logins[hex(bytes)];
    if (Object.keys(legacy.logins).length) await outbox.kvSet("legacyLogins", legacy);
    else await outbox.kvDelete("legacyLogins");
    return staff;
  }

  async function login(pin) {
    const digestP = digestOf(pin);
    let response;
    try {
      response = await api("/staff/login", { method: "POST", body: JSON.stringify({ pin }) });
    } catch {
      const known = await offlineLookup(pin, digestP);
      if (!known) { $("pin-error").textContent = t("pinOffline"); return; }
      shift.staff = known;
      return startShift();
    }
    if (response.status === 403) {
      await forget(digestP);
      await legacyTake(pin); // forgotten there too
      // A right PIN of a role that does not sell (kitchen) says so (registers.staff.register_open).
      const data = await response.json().catch(() => ({}));
      const notSelling = typeof data.detail === "string" && data.detail.endsWith("cannot sell at a register");
      $("pin-error").textContent = t(notSelling ? "cannotSell" : "wrongPin");
      return;
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      $("pin-error").textContent = `${t("failed")}: ${data.detail || response.status}`;
      return;
    }
    shift.staff = await response.json();
    startShift();
    await remember(digestP, shift.staff);
    await legacyTake(pin);
  }

  function startShift() {
    $("pin-error").textContent = "";
    sessionStorage.setItem("pos.staff", JSON.stringify(shift.staff));
    showTill();
  }

  function logout() {
    // Staff data goes (who, the cart they were building); the outbox stays:
    // queued sales belong to the store, not to the cashier who rang them up.
    shift.staff = null;
    onLogout();
    sessionStorage.removeItem("pos.staff");
    $("till").hidden = true;
    $("logout").hidden = true;
    $("pin-screen").hidden = false;
    $("pin-input").value = "";
    $("pin-input").focus();
  }

  /** The shift this tab had open (a reload keeps it), else the PIN screen. */
  function restore() {
    const saved = sessionStorage.getItem("pos.staff");
    shift.staff = saved ? JSON.parse(saved) : null;
    if (shift.staff) showTill();
    else { $("pin-screen").hidden = false; $("pin-input").focus(); }
    legacyMove().catch(() => {});
  }

  return { login, logout, restore };
}
