// The done screen's e-receipt link: once the last sale reached a node, its
// signed receipt address (registers/ereceipt.py), to open on the customer's
// phone. Exports showReceiptLink(api, ids).
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
  const a = document.createElement("a");
  a.className = "e-receipt";
  a.href = receipt.link;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.dataset.testid = "e-receipt-link";
  a.textContent = `${t("eReceipt")} No. ${receipt.number}`;
  el.append(" ", a);
}
