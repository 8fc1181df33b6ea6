// The done screen's e-receipt link: once the last sale reached a node, its
// signed receipt address (registers/ereceipt.py), to open on the customer's
// phone, in the language the guest reads. Exports showReceiptLink(api, ids).
import { $ } from "./dom.js";
import { t } from "./i18n.js";

/** Add the link of the last of ``ids`` to the sale's message; nothing when offline or unknown. */
export async function showReceiptLink(api, ids) {
  const id = ids[ids.length - 1];
  if (!id) return;
  let receipt;
  try {
    const response = await api(`/orders/${id}/receipt`);
    if (!response.ok) return;
    receipt = await response.json();
  } catch {
    return; // no node answers: the printed receipt carries the same link as a QR code
  }
  if (!receipt.link) return;
  const el = $("message");
  el.querySelector(".e-receipt")?.remove();
  el.querySelector(".receipt-lang")?.remove();
  const a = document.createElement("a");
  a.className = "e-receipt";
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.dataset.testid = "e-receipt-link";
  a.textContent = `${t("eReceipt")} No. ${receipt.number}`;
  el.append(" ", a, " ", langChoice(a, receipt));
}

// The receipt is in one language (registers/receipts.py); a foreign guest's
// English one is chosen here, on the link itself, so it stays English whoever
// opens it and the tablet's own language is left alone.
function langChoice(a, receipt) {
  const group = document.createElement("span");
  group.className = "receipt-lang";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("receiptLang"));
  const pick = (chosen) => {
    a.href = `${receipt.link}?lang=${chosen}`;
    a.dataset.lang = chosen;
    for (const b of group.children) b.setAttribute("aria-pressed", String(b.dataset.lang === chosen));
  };
  for (const [code, label] of [["ja", "日本語"], ["en", "English"]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.lang = code;
    b.dataset.testid = `receipt-lang-${code}`;
    b.textContent = label;
    b.addEventListener("click", () => pick(code));
    group.append(b);
  }
  pick(receipt.lang === "en" ? "en" : "ja");
  return group;
}
