// Pairing: trade the code a manager issued in admin (typed, or carried in the
// QR code's #code= fragment) for this device's own token, kept in localStorage.
import { t } from "./i18n.js";
import { TOKEN_KEY } from "./device.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const HOME = { register: "/register/", kitchen: "/kitchen/" };

function nextUrl(kind) {
  const next = new URLSearchParams(location.search).get("next") || "";
  // Only a path on this node: an open redirect would hand the page to anyone.
  return next.startsWith("/") && !next.startsWith("//") ? next : HOME[kind] || "/register/";
}

async function pair(code) {
  $("pair-error").textContent = "";
  let response;
  try {
    response = await fetch("/api/devices/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ code }),
    });
  } catch {
    $("pair-error").textContent = t("noNode");
    return;
  }
  const data = await response.json().catch(() => ({}));
  if (response.status !== 201) {
    $("pair-error").textContent = `${t("pairFailed")}: ${data.detail || response.status}`;
    return;
  }
  // The token is all the device keeps of its pairing (the name is shown once,
  // below): revocation, not storage, is what takes it back from a thief.
  localStorage.setItem(TOKEN_KEY, data.token);
  localStorage.removeItem("pos.deviceName"); // kept by older releases, never read
  $("pair-done").textContent = `${t("paired")}: ${data.device}`;
  location.replace(nextUrl(data.kind));
}

$("pair-form").addEventListener("submit", (event) => {
  event.preventDefault();
  pair($("pair-code").value.trim());
});
const fromQr = new URLSearchParams(location.hash.slice(1)).get("code");
if (fromQr) {
  history.replaceState(null, "", location.pathname + location.search); // drop the code from the address bar
  $("pair-code").value = fromQr;
  pair(fromQr);
}
