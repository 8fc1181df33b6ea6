// Sold out ('86') from the manager's page: pick an item, press sold out or back
// on sale; the manager PIN typed at the top of the page authorises it. Every
// register of the store reloads its menu on the live channel's doorbell.
import { config, lang, nameOf } from "./i18n.js";

const STRINGS = {
  ja: { title: "品切れ", soldOut: "品切れにする", back: "販売再開", done: "記録しました", failed: "記録できません", now: "品切れ中" },
  en: { title: "Sold out", soldOut: "Mark sold out", back: "Back on sale", done: "Recorded", failed: "Could not record", now: "Sold out now" },
};
const t = (key) => (STRINGS[lang()] || STRINGS.ja)[key];
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const cfg = config();

function headers() {
  const h = { "Content-Type": "application/json" };
  if (cfg.token) h.Authorization = `Bearer ${cfg.token}`;
  return h;
}

async function loadItems() {
  const menu = await (await fetch("/api/menu", { headers: headers() })).json();
  const select = $("sold-out-sku");
  const chosen = select.value; // keep the manager's choice across reloads
  select.replaceChildren(...menu.items.map((item) => {
    const option = document.createElement("option");
    option.value = item.sku;
    option.textContent = `${nameOf(item)}${item.sold_out ? ` (${t("now")})` : ""}`;
    return option;
  }));
  if (chosen) select.value = chosen;
}

async function mark(soldOut) {
  const status = $("sold-out-status");
  const response = await fetch(`/api/menu/${encodeURIComponent($("sold-out-sku").value)}/sold-out`, {
    method: "POST", headers: headers(),
    body: JSON.stringify({ sold_out: soldOut, manager_pin: $("manager-pin").value }),
  });
  const data = await response.json().catch(() => ({}));
  status.textContent = response.ok ? t("done") : `${t("failed")}: ${data.detail || response.status}`;
  if (response.ok) await loadItems();
}

const section = $("sold-out-card");
if (section) {
  section.querySelector("h2").textContent = t("title");
  $("sold-out-mark").textContent = t("soldOut");
  $("sold-out-back").textContent = t("back");
  $("sold-out-mark").addEventListener("click", () => mark(true));
  $("sold-out-back").addEventListener("click", () => mark(false));
  loadItems();
}
