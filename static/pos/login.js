// Staff login: the PIN screen, the shift it opens and logging out, online
// through a node or offline with PINs this device saw accepted before.
// Exports createLogin({ api, store, onLogout }) -> { login, logout, restore }.
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { $ } from "./dom.js";

/** ``store`` salts the PIN digests; ``onLogout()`` drops the cashier's cart. */
export function createLogin({ api, store, onLogout }) {
  const shift = { staff: null };

  function showTill() {
    $("pin-screen").hidden = true;
    $("till").hidden = false;
    $("logout").hidden = false;
    $("staff-name").textContent = shift.staff ? shift.staff.name : "";
  }

  // Offline login: after a PIN is accepted by a node, the device keeps a salted
  // SHA-256 digest of it with the staff member's name and role, so the same PIN
  // opens the register when no node answers. A 4-digit PIN cannot resist a search
  // of a stolen tablet whatever the hash; the digest only keeps PINs out of plain
  // sight, and a node's "wrong PIN" forgets the cached one (a revoked PIN).
  async function pinDigest(pin) {
    let salt = await outbox.kvGet("pinSalt");
    if (!salt) {
      salt = crypto.randomUUID();
      await outbox.kvSet("pinSalt", salt);
    }
    const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${salt}:${store}:${pin}`));
    return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function login(pin) {
    const digest = await pinDigest(pin);
    const known = (await outbox.kvGet("staffLogins")) || {};
    let response;
    try {
      response = await api("/staff/login", { method: "POST", body: JSON.stringify({ pin }) });
    } catch {
      if (!known[digest]) { $("pin-error").textContent = t("pinOffline"); return; }
      shift.staff = known[digest];
      return startShift();
    }
    if (response.status === 403) {
      delete known[digest];
      await outbox.kvSet("staffLogins", known);
      $("pin-error").textContent = t("wrongPin");
      return;
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      $("pin-error").textContent = `${t("failed")}: ${data.detail || response.status}`;
      return;
    }
    shift.staff = await response.json();
    known[digest] = shift.staff;
    await outbox.kvSet("staffLogins", known);
    startShift();
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
  }

  return { login, logout, restore };
}
