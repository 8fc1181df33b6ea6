// The tender screen, as Japanese registers have it: a keypad and note and coin
// buttons build the amount handed over (お預かり), the change (お釣り) shows in
// large type, card and QR ask for the terminal's approval reference, partial
// tenders make a split payment, and nothing is recorded before a confirmation
// tap. Exports createTender() -> { open }, and settle (pure).
import { t, yen } from "./i18n.js";
import { $ } from "./dom.js";

// Notes and coins in circulation, largest first: one tap adds one to the amount
// handed over (¥1,000 twice is ¥2,000), as on a Japanese register.
export const DENOMINATIONS = [10000, 5000, 1000, 500, 100, 50, 10, 5, 1];
const MAX_ENTRY = 10_000_000; // registers/schemas.py PaymentIn's limit for one amount

/** What ``tenders`` leave of ``due``, and the change, by registers/tender.py's
 * rules: tenders settle in order, cash may exceed what is left, card and QR may
 * not. ``error`` names the first tender that cannot apply. */
export function settle(due, tenders) {
  let left = due;
  let change = 0;
  for (const tender of tenders) {
    if (tender.amount <= 0 || left <= 0) return { left, change, error: "tenderNothingLeft" };
    if (tender.method === "cash") {
      change = Math.max(0, tender.amount - left);
      left = Math.max(0, left - tender.amount);
    } else {
      if (tender.amount > left) return { left, change, error: "tenderTooMuch" };
      left -= tender.amount;
    }
  }
  return { left, change, error: null };
}

export function createTender() {
  const state = { due: 0, tenders: [], method: "cash", entry: null, busy: false, onSettle: null };
  const dialog = $("tender-dialog");

  function wire() {
    for (const b of dialog.querySelectorAll("[data-method]")) b.addEventListener("click", () => choose(b.dataset.method));
    for (const b of dialog.querySelectorAll("[data-key]")) b.addEventListener("click", () => key(b.dataset.key));
    $("tender-notes").replaceChildren(...DENOMINATIONS.map(noteButton));
    $("tender-exact").addEventListener("click", () => { state.entry = left(); render(); });
    $("tender-add").addEventListener("click", addPartial);
    $("tender-next").addEventListener("click", () => step("confirm"));
    $("tender-back").addEventListener("click", () => step("entry"));
    $("tender-confirm").addEventListener("click", confirm);
    $("tender-cancel").addEventListener("click", () => dialog.close());
    $("tender-close").addEventListener("click", () => dialog.close());
    $("tender-reference").addEventListener("input", render);
  }

  function noteButton(value) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = value >= 1000 ? "note" : "coin";
    b.textContent = yen(value);
    b.setAttribute("data-testid", `tender-note-${value}`);
    b.addEventListener("click", () => { state.entry = Math.min(MAX_ENTRY, (state.entry || 0) + value); render(); });
    return b;
  }

  function key(k) {
    if (k === "C") state.entry = null;
    else if (k === "back") state.entry = state.entry >= 10 ? Math.floor(state.entry / 10) : null;
    else {
      const next = Number(`${state.entry || ""}${k}`);
      if (next <= MAX_ENTRY) state.entry = next || null;
    }
    render();
  }

  const left = () => settle(state.due, state.tenders).left;

  /** The amount on the display: what was typed, else (card, QR) all that is left. */
  function amount() {
    if (state.entry !== null) return state.entry;
    return state.method === "cash" ? 0 : left();
  }

  function current() {
    const reference = state.method === "cash" ? "" : $("tender-reference").value.trim().slice(0, 64);
    return { method: state.method, amount: amount(), reference };
  }

  function choose(method) {
    state.method = method;
    state.entry = null;
    $("tender-reference").value = "";
    render();
  }

  function addPartial() {
    const tender = current();
    if (tender.amount <= 0 || tender.amount >= left()) return;
    state.tenders.push(tender);
    choose("cash");
  }

  function step(name) {
    dialog.dataset.step = name;
    $("tender-confirm-panel").hidden = name !== "confirm";
    $("tender-done").hidden = name !== "done";
    $("tender-entry").hidden = name !== "entry";
    render();
  }

  async function confirm() {
    if (state.busy) return;
    const payments = [...state.tenders, current()];
    const { left: short, change, error } = settle(state.due, payments);
    if (error || short > 0) return;
    state.busy = true;
    try {
      if (!(await state.onSettle(payments.map(({ method, amount, reference }) => ({ method, amount, ...(reference ? { reference } : {}) }))))) return;
    } finally {
      state.busy = false;
    }
    $("tender-done-change").textContent = yen(change);
    step("done");
  }

  function render() {
    const tender = current();
    const all = settle(state.due, [...state.tenders, tender]);
    const before = left();
    $("tender-due").textContent = yen(state.due);
    $("tender-left").textContent = yen(before);
    $("tender-amount").textContent = yen(tender.amount);
    $("tender-change").textContent = yen(all.error ? 0 : all.change);
    $("tender-list").replaceChildren(...state.tenders.map(tenderLine));
    for (const b of dialog.querySelectorAll("[data-method]")) b.setAttribute("aria-pressed", String(b.dataset.method === state.method));
    dialog.dataset.method = state.method;
    $("tender-reference-row").hidden = state.method === "cash";
    $("tender-notes").hidden = state.method !== "cash";
    $("tender-error").textContent = all.error ? t(all.error) : "";
    $("tender-next").disabled = Boolean(all.error) || all.left > 0;
    $("tender-add").disabled = tender.amount <= 0 || tender.amount >= before;
    $("tender-summary").replaceChildren(...[...state.tenders, tender].map(tenderLine));
    $("tender-confirm-amount").textContent = yen(tender.method === "cash" ? tender.amount : 0);
    $("tender-confirm-change").textContent = yen(all.error ? 0 : all.change);
    $("tender-no-terminal").hidden = ![...state.tenders, tender].some((p) => p.method !== "cash" && !p.reference);
  }

  function tenderLine(p) {
    const li = document.createElement("li");
    li.dataset.method = p.method;
    li.textContent = `${t(`method_${p.method}`)} ${yen(p.amount)}${p.reference ? ` · ${t("approval")} ${p.reference}` : ""}`;
    return li;
  }

  /** Take ``due`` yen; ``title`` says for what (the cart, or an unpaid order's
   * number). ``onSettle(payments)`` records the payment and resolves true once
   * it is queued (the screen then shows the change), false when it was not. */
  function open({ due, title, onSettle, method = "cash" }) {
    Object.assign(state, { due, tenders: [], entry: null, busy: false, onSettle });
    $("tender-title").textContent = title;
    choose(method);
    step("entry");
    if (!dialog.open) dialog.showModal();
  }

  wire();
  return { open };
}
