// Subscribe this browser to alerts (store offline, sync behind, sold out...):
// the register's manager page (device token) and HQ's dashboard (admin session).
// Any element with data-testid="push-subscribe" becomes the button.
const STRINGS = {
  ja: { subscribe: "アラートを受け取る", subscribed: "アラートを受け取ります", unsupported: "このブラウザは通知に対応していません",
        denied: "通知が許可されていません", notSetUp: "プッシュ通知が未設定です", failed: "登録できません" },
  en: { subscribe: "Get alerts", subscribed: "Alerts on", unsupported: "This browser cannot show notifications",
        denied: "Notifications are blocked", notSetUp: "Push alerts are not set up", failed: "Could not subscribe" },
};
const lang = () => (document.documentElement.lang.startsWith("en") ? "en" : "ja");
const t = (key) => STRINGS[lang()][key];

function b64ToBytes(b64url) {
  const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64url.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const cfgEl = document.getElementById("pos-config");
  const token = cfgEl ? JSON.parse(cfgEl.textContent).token : "";
  if (token) h.Authorization = `Bearer ${token}`;
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (csrf) h["X-CSRFToken"] = csrf.split("=")[1];
  return h;
}

export async function subscribe(store = "") {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) throw new Error(t("unsupported"));
  const keyResponse = await fetch("/api/push/key");
  if (!keyResponse.ok) throw new Error(t("notSetUp"));
  const { public_key: key } = await keyResponse.json();
  if ((await Notification.requestPermission()) !== "granted") throw new Error(t("denied"));
  const registration = await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(key) });
  const response = await fetch("/api/push/subscriptions", {
    method: "POST", headers: headers(), credentials: "same-origin",
    body: JSON.stringify({ subscription: subscription.toJSON(), store, language: lang() }),
  });
  if (!response.ok) throw new Error(t("failed"));
  return subscription;
}

for (const button of document.querySelectorAll('[data-testid="push-subscribe"]')) {
  button.textContent = t("subscribe");
  const status = document.querySelector('[data-testid="push-status"]');
  button.addEventListener("click", async () => {
    try {
      await subscribe(button.dataset.store || "");
      if (status) status.textContent = t("subscribed");
    } catch (error) {
      if (status) status.textContent = error.message || t("failed");
    }
  });
}
