// A revoked device (a manager's "Revoke" after a tablet went missing): when a
// node answers that this device's token is revoked (401 with code
// "device_revoked", never a plain 401: a sibling that has not heard of a new
// pairing says that too), the page erases what the device keeps and says so.
//
// Erased: the device token and every other localStorage and sessionStorage
// entry, the cached menu, known nodes and offline logins (outbox.js wipe), the
// service worker's caches and the worker itself. Kept: sales no node has
// acknowledged, still sealed under the non-exportable key. They are money the
// store took; a revocation that was a mistake, or one forged by someone on an
// unencrypted LAN, must not destroy them, and on a thief's device they are
// ciphertext that only this browser can open. Pairing the device again sends them.
// Exports isRevoked(response), wipeDevice(), showRevoked(kept).
import { t } from "./i18n.js";
import * as outbox from "./outbox.js";

export const REVOKED_CODE = "device_revoked";

/** True when ``response`` is a node saying this device is revoked. */
export async function isRevoked(response) {
  if (response.status !== 401) return false;
  const data = await response.clone().json().catch(() => ({}));
  return data.code === REVOKED_CODE;
}

/** Erase everything but the unsent sales; resolves how many sales were kept. */
export async function wipeDevice() {
  localStorage.clear();
  sessionStorage.clear();
  const kept = await outbox.wipe().catch(() => 0);
  if ("caches" in self) for (const name of await caches.keys()) await caches.delete(name);
  if (navigator.serviceWorker) for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  return kept;
}

/** Replace the page with the revocation notice (ja/en, the page's language). */
export function showRevoked(kept, home = "/register/") {
  const section = document.createElement("section");
  section.className = "revoked";
  section.setAttribute("data-testid", "device-revoked");
  section.setAttribute("role", "alert");
  const title = document.createElement("h1");
  title.textContent = t("revokedTitle");
  const wiped = document.createElement("p");
  wiped.textContent = t("revokedWiped");
  const again = document.createElement("a");
  again.href = `/pair/?next=${encodeURIComponent(home)}`;
  again.className = "pair-again";
  again.setAttribute("data-testid", "pair-again");
  again.textContent = t("revokedPair");
  section.append(title, wiped);
  if (kept) {
    const unsent = document.createElement("p");
    unsent.setAttribute("data-testid", "revoked-kept");
    unsent.textContent = t("revokedKept").replace("{n}", String(kept));
    section.append(unsent);
  }
  section.append(again);
  document.body.replaceChildren(section);
  document.body.dataset.revoked = "true";
}
