// Which business day the register is selling into (GET /api/business-day), in
// the bar; after a Z close of today it warns that sales go to the next
// business day (翌営業日). Exports createBusinessDay({ api }) -> { refresh }.
// Offline it keeps showing the last day a node told it: the node decides.
import { lang, t } from "./i18n.js";
import { $ } from "./dom.js";

function shown(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return lang() === "en" ? iso : `${y}年${m}月${d}日`;
}

export function render(day) {
  const el = $("business-day");
  el.hidden = false;
  el.dataset.date = day.business_date;
  el.dataset.afterClose = String(day.after_close);
  el.textContent = day.after_close
    ? `${t("afterZ")} (Z No. ${day.closed.number}) — ${t("sellingInto")} ${shown(day.business_date)}`
    : `${t("businessDay")} ${shown(day.business_date)}`;
  el.title = day.after_close ? t("afterZHint") : "";
}

export function createBusinessDay({ api }) {
  async function refresh() {
    try {
      const response = await api("/business-day");
      if (response.ok) render(await response.json());
    } catch {
      // no node answers: the bar keeps the last day it was told
    }
  }
  return { refresh };
}
