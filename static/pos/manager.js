// The manager's page: voids and refunds behind the manager PIN, drawer movements,
// who is on, a cashier's PIN reset, receipts (sale, reprint, refund; Japanese or
// English), X and Z reports, and money two cut-off nodes both took or gave back.
// Every action goes to the server, which checks the PIN.
import { config, lang, yen } from "./i18n.js";
import { deviceToken } from "./device.js";
import { pinPad } from "./pinpad.js";

const STRINGS = {
  ja: {
    title: "管理", backToRegister: "レジへ戻る", managerPin: "責任者PIN", reason: "理由", onDuty: "勤務中",
    clockIn: "出勤", clockOut: "退勤", orders: "本日の注文", drawer: "ドロワー", drawer_open: "釣銭準備金",
    drawer_paid_in: "入金", drawer_paid_out: "出金", drawer_count: "締め精算(実査)", record: "記録",
    reports: "レポート", xReport: "Xレポート(点検)", zClose: "Z精算(日計締め)", queued: "未送信の売上",
    force: "未送信があっても締める", void: "取消", refund: "返品・返金", receipt: "領収書", reprint: "再発行",
    print: "印刷", close: "閉じる", done: "記録しました", voided: "取消済", orderCount: "客数", total: "売上", net: "純売上", tax: "内消費税",
    cash: "現金", card: "カード", qr: "QR", voids: "取消", refunds: "返金", offline: "オフラインカード(未承認)",
    expected: "理論在高", counted: "実在高", overShort: "過不足", zNumber: "Z No.", needReason: "理由を入力してください",
    alert_due_soon: "承認期限が近い", alert_overdue: "承認期限切れ", unsettled: "未承認",
    discountAmount: "値引額(円)", discount: "値引", discounts: "値引",
    e403: "責任者のPINが必要です", e404: "見つかりません", e409: "この操作はできません", e422: "入力を確認してください",
    e429: "PINの誤りが多すぎます。数分待ってください",
    conflicts: "要確認(切断中の二重処理)", conflict_double_payment: "二重支払い", conflict_over_refund: "支払額を超える返金",
    conflict_void_and_refund: "取消と返金の重複", conflict_after_close: "日計締め後の記録",
    refunded: "返金済", refundedPart: "一部返金", countedCash: "現金実査額(円)", cancel: "やめる", confirm: "実行する",
    confirmVoid: "No. {n}（{total}）を取消しますか？", confirmRefund: "No. {n} の {total} を返金しますか？",
    confirmZ: "{day} を締めます。実査 {counted}、理論 {expected}。よろしいですか？", needCount: "数えた現金の額を入力してください",
    silent: "応答なし", lastSeen: "最終", cashCount: "現金実査", eNetwork: "店舗サーバーに接続できません",
    e400: "入力を確認してください", e401: "この端末は登録されていません", e500: "サーバーでエラーが起きました",
    staff: "スタッフ", pinReset: "PINリセット", next: "次へ", newPin: "{name} の新しいPIN（4〜8桁）",
    newPinAgain: "確認のため、同じPINをもう一度", pinDigits: "PINは4〜8桁の数字です",
    pinMismatch: "2回の入力が違います。最初から入力してください", confirmPinReset: "{name} のPINをリセットしますか？",
    needManagerPin: "先に責任者PINを入力してください", pinSetBy: "PIN設定", resetAtHq: "PINは本部で変更",
    role_cashier: "レジ担当", role_manager: "責任者", role_kitchen: "調理場",
    refundReceipt: "返金明細書", receiptLang: "領収書の言語",
  },
  en: {
    title: "Manager", backToRegister: "Back to register", managerPin: "Manager PIN", reason: "Reason", onDuty: "On duty",
    clockIn: "Clock in", clockOut: "Clock out", orders: "Today's orders", drawer: "Drawer", drawer_open: "Opening float",
    drawer_paid_in: "Paid in", drawer_paid_out: "Paid out", drawer_count: "Counted close", record: "Record",
    reports: "Reports", xReport: "X report", zClose: "Z close (end of day)", queued: "Sales still queued",
    force: "Close even with queued sales", void: "Void", refund: "Refund", receipt: "Receipt", reprint: "Reprint",
    print: "Print", close: "Close", done: "Recorded", voided: "Voided", orderCount: "Orders", total: "Sales", net: "Net sales", tax: "incl. tax",
    cash: "Cash", card: "Card", qr: "QR", voids: "Voids", refunds: "Refunds", offline: "Offline card (unsettled)",
    expected: "Expected", counted: "Counted", overShort: "Over/short", zNumber: "Z No.", needReason: "Enter a reason",
    alert_due_soon: "settle soon", alert_overdue: "overdue", unsettled: "unsettled",
    discountAmount: "Discount (yen)", discount: "Discount", discounts: "Discounts",
    e403: "A manager's PIN is needed", e404: "Not found", e409: "Not possible now", e422: "Check the input",
    e429: "Too many wrong PINs; wait a few minutes",
    conflicts: "To check (done twice while cut off)", conflict_double_payment: "Paid twice",
    conflict_over_refund: "Refunded more than was paid", conflict_void_and_refund: "Voided and also refunded",
    conflict_after_close: "Recorded after the day was closed",
    refunded: "Refunded", refundedPart: "Partly refunded", countedCash: "Cash counted (yen)", cancel: "Cancel", confirm: "Go ahead",
    confirmVoid: "Void No. {n} ({total})?", confirmRefund: "Refund {total} of No. {n}?",
    confirmZ: "Close {day}: counted {counted}, expected {expected}. Go ahead?", needCount: "Enter the cash you counted",
    silent: "silent", lastSeen: "last", cashCount: "Cash count", eNetwork: "Cannot reach the store server",
    e400: "Check the input", e401: "This device is not registered", e500: "The server had an error",
    staff: "Staff", pinReset: "Reset PIN", next: "Next", newPin: "New PIN for {name} (4 to 8 digits)",
    newPinAgain: "The same PIN again, to confirm", pinDigits: "A PIN is 4 to 8 digits",
    pinMismatch: "The two entries differ; start again", confirmPinReset: "Reset the PIN of {name}?",
    needManagerPin: "Enter the manager PIN first", pinSetBy: "PIN set", resetAtHq: "PIN is changed at HQ",
    role_cashier: "Cashier", role_manager: "Manager", role_kitchen: "Kitchen",
    refundReceipt: "Refund receipt", receiptLang: "Receipt language",
  },
};
const t = (key) => (STRINGS[lang()] || STRINGS.ja)[key] ?? key;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);
const cfg = config();
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

// Times as the store's clock shows them (the server speaks UTC).
const clock = new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", {
  timeZone: cfg.timeZone || "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hour12: false,
});
const dateTime = new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "ja-JP", {
  timeZone: cfg.timeZone || "Asia/Tokyo", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});
const hhmm = (iso) => clock.format(new Date(iso));

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const token = deviceToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/api${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  } catch {
    throw new Error(t("eNetwork"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // The message in the page's language; the server's reason (in English) only on the English page.
    const known = STRINGS.ja["e" + response.status] ? t("e" + response.status) : t(response.status >= 500 ? "e500" : "e400");
    const detail = typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail);
    throw new Error(lang() === "en" && detail ? `${known}: ${detail}` : known);
  }
  return data;
}

function say(text, ok = false) {
  const el = $("manager-message");
  el.textContent = text;
  el.classList.toggle("ok", ok);
}

const pin = () => $("manager-pin").value.trim();
const reason = () => $("reason").value.trim();

/** Ask before an action that cannot be taken back; resolves true when confirmed. */
function confirmFirst(text) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

async function act(fn) {
  try {
    await fn();
    say(t("done"), true);
    await refresh();
  } catch (error) {
    say(error.message);
  }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function button(label, testid, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.dataset.testid = testid;
  b.addEventListener("click", onclick);
  return b;
}

function renderOrders(orders) {
  const body = $("manager-orders");
  body.replaceChildren(...orders.map((order) => {
    const tr = document.createElement("tr");
    tr.dataset.orderId = order.id;
    tr.dataset.status = order.status;
    tr.dataset.testid = "manager-order";
    const actions = document.createElement("td");
    if (order.status !== "voided" && order.paid === 0) {
      actions.append(button(t("discount"), "discount", () => act(() => api("POST", `/orders/${order.id}/discount`,
        { manager_pin: pin(), reason: reason(), amount: Number($("discount-amount").value || 0) }))));
    }
    const asked = { n: order.number, total: yen(order.total) };
    if (order.status !== "voided") {
      actions.append(
        button(t("void"), "void", async () => {
          if (await confirmFirst(fill(t("confirmVoid"), asked))) {
            act(() => api("POST", `/orders/${order.id}/void`, { manager_pin: pin(), reason: reason() }));
          }
        }),
      );
    }
    if (order.status !== "voided" && order.paid > order.refunded) {
      actions.append(
        button(t("refund"), "refund", async () => {
          if (await confirmFirst(fill(t("confirmRefund"), { ...asked, total: yen(order.paid - order.refunded) }))) {
            act(() => api("POST", `/orders/${order.id}/refunds`,
              { id: crypto.randomUUID(), manager_pin: pin(), reason: reason(), register: cfg.register }));
          }
        }),
      );
    }
    actions.append(" ", button(t("receipt"), "receipt", () => showReceipt({ order: order.id })),
      " ", button(t("reprint"), "reprint", () => showReceipt({ order: order.id, copy: true })));
    for (const refund of order.refunds || []) {
      const b = button(`${t("refundReceipt")} ${yen(refund.amount)}`, "refund-receipt",
        () => showReceipt({ order: order.id, refund: refund.id }));
      b.dataset.refundId = refund.id;
      actions.append(" ", b);
    }
    tr.dataset.refunded = String(order.refunded || 0);
    const flags = cell("");
    flags.dataset.testid = "order-state";
    if (order.status === "voided") flags.append(badge(t("voided"), "voided"));
    if (order.refunded > 0) {
      const whole = order.refunded >= order.paid;
      flags.append(badge(`${t(whole ? "refunded" : "refundedPart")} ${yen(order.refunded)}`, "refunded"));
    }
    flags.append(...(order.conflicts || []).map(conflictBadge));
    tr.append(cell(`No. ${order.number}`), cell(hhmm(order.placed_at)), cell(yen(order.total)), flags, actions);
    return tr;
  }));
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `state ${kind}`;
  span.textContent = text;
  return span;
}

// Money two cut-off nodes both took or gave back: kept in the figures, shown for the manager to settle.
function conflictBadge(conflict) {
  const badge = document.createElement("span");
  badge.className = "conflict";
  badge.dataset.testid = "order-conflict";
  badge.dataset.kind = conflict.kind;
  badge.textContent = t("conflict_" + conflict.kind);
  badge.title = `${conflict.detail} (${conflict.nodes.join(", ")})`;
  return badge;
}

function conflictText(c) {
  return `No. ${c.number} ${t("conflict_" + c.kind)}: ${c.detail} (${c.nodes.join(", ")})`;
}

// The receipt page wants this device's token in the Authorization header (never
// in the URL), which a link cannot send: fetch it and show it here, printable.
// ``shown`` is what the dialog holds, so its language and reprint switches fetch
// the same receipt again; a foreign guest's English one is a tap, not a cookie.
const shown = { order: null, refund: null, copy: false, lang: null };

async function showReceipt({ order, refund = null, copy = false, lang: wanted = null }) {
  Object.assign(shown, { order, refund, copy, lang: wanted });
  const query = new URLSearchParams();
  if (copy) query.set("copy", "1");
  if (wanted) query.set("lang", wanted);
  if (refund) query.set("refund", refund);
  const headers = {};
  const token = deviceToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const search = query.toString();
    const response = await fetch(`/register/receipt/${order}/${search ? `?${search}` : ""}`, { headers });
    const text = await response.text();
    if (!response.ok) throw new Error(`${t("e" + response.status)}: ${text.slice(0, 200)}`);
    // DOMParser runs no script; the server escaped every value in the page.
    const article = new DOMParser().parseFromString(text, "text/html").querySelector("article.receipt");
    if (!article) throw new Error(t("e404"));
    article.querySelector(".actions")?.remove();
    const dialog = $("receipt-dialog");
    dialog.querySelector(".receipt-slot").replaceChildren(document.adoptNode(article));
    for (const b of dialog.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === article.lang));
    $("receipt-as-copy").setAttribute("aria-pressed", String(copy));
    if (!dialog.open) dialog.showModal();
  } catch (error) {
    say(error.message);
  }
}

function row(label, value, testid) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.textContent = label;
  const td = cell(value);
  if (testid) td.dataset.testid = testid;
  tr.append(th, td);
  return tr;
}

const signed = (n) => (n > 0 ? `+${yen(n)}` : n < 0 ? `-${yen(-n)}` : yen(0));

function renderReport(report, heading) {
  const table = document.createElement("table");
  const title = document.createElement("caption");
  title.textContent = heading;
  table.append(title,
    row(t("orderCount"), report.orders, "report-orders"),
    row(t("total"), yen(report.total), "report-total"),
    ...report.taxes.map((r) => row(`${r.rate}% ${t("tax")}`, `${yen(r.taxable)} / ${yen(r.tax)}`, `report-tax-${r.rate}`)),
    ...["cash", "card", "qr"].map((m) => row(t(m), `${report.tenders[m].count} / ${yen(report.tenders[m].amount)}`, `report-${m}`)),
    row(t("voids"), `${report.voids.count} / ${yen(report.voids.amount)}`, "report-voids"),
    row(t("refunds"), `${report.refunds.count} / ${yen(report.refunds.amount)}`, "report-refunds"),
    row(t("discounts"), `${report.discounts.count} / ${yen(report.discounts.amount)}`, "report-discounts"),
    row(t("net"), yen(report.net.total), "report-net"),
    row(t("offline"), `${report.offline_card.unsettled_count} / ${yen(report.offline_card.unsettled_amount)}`, "report-offline"),
    row(t("conflicts"), (report.conflicts || []).length, "report-conflicts"),
    ...(report.conflicts || []).map((c) => row("", conflictText(c), "report-conflict")),
    ...(report.cash_count ? [row(`${t("cashCount")}: ${t("counted")} / ${t("expected")} / ${t("overShort")}`,
      `${yen(report.cash_count.counted)} / ${yen(report.cash_count.expected)} / ${signed(report.cash_count.over_short)}`, "report-cash-count")] : []),
    ...report.drawer.map((d) => row(`${d.register}: ${t("expected")} / ${t("counted")} / ${t("overShort")}`,
      `${yen(d.expected)} / ${d.counted === null ? "-" : yen(d.counted)} / ${d.over_short === null ? "-" : d.over_short}`)),
  );
  $("report").replaceChildren(table);
}

async function refresh() {
  const [orders, onDuty, alerts, conflicts, outboxes, people] = await Promise.all([
    api("GET", "/orders?limit=30"), api("GET", "/staff/on-duty"), api("GET", "/alerts/offline-card"), api("GET", "/conflicts"),
    api("GET", "/registers/outboxes"), api("GET", "/staff"),
  ]);
  renderOrders(orders.items);
  renderStaff(people);
  renderOutboxes(outboxes);
  $("on-duty").replaceChildren(...onDuty.map((s) => {
    const li = document.createElement("li");
    li.textContent = `${s.staff_name} (${s.role}) ${hhmm(s.started_at)}`;
    return li;
  }));
  $("alerts").replaceChildren(...alerts.map((a) => {
    const li = document.createElement("li");
    li.textContent = `No. ${a.number} ${yen(a.amount)} — ${t("alert_" + a.state)} (${dateTime.format(new Date(a.settle_by))})`;
    return li;
  }), ...conflicts.map((c) => {
    const li = document.createElement("li");
    li.className = "conflict";
    li.dataset.testid = "conflict-alert";
    li.textContent = conflictText(c);
    return li;
  }));
}

// The queued sales come from the tablets themselves (each reports its outbox);
// a tablet gone silent is named, since it may hold sales it could not report.
const tablets = { queued: 0 };
function renderOutboxes({ queued, items }) {
  tablets.queued = queued;
  $("z-queued").textContent = queued;
  $("z-tablets").replaceChildren(...items.filter((x) => x.waiting > 0 || x.silent).map((x) => {
    const li = document.createElement("li");
    li.dataset.testid = "z-tablet";
    li.dataset.register = x.register;
    li.textContent = `${x.register}: ${x.waiting}${x.silent ? ` (${t("silent")}, ${t("lastSeen")} ${hhmm(x.seen_at)})` : ""}`;
    return li;
  }));
}

function renderStaff(people) {
  $("staff-list").replaceChildren(...people.filter((p) => p.active).map((person) => {
    const li = document.createElement("li");
    li.dataset.testid = "staff-row";
    li.dataset.code = person.code;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = `${person.name} (${t("role_" + person.role)})`;
    const set = document.createElement("small");
    set.dataset.testid = "staff-pin-set";
    if (person.pin_set_at) {
      set.textContent = `${t("pinSetBy")}: ${person.pin_set_by} ${dateTime.format(new Date(person.pin_set_at))}`
        + (person.pin_set_reason ? ` (${person.pin_set_reason})` : "");
    }
    li.append(who, set);
    // The store resets a cashier's PIN only; a manager's or the kitchen's is HQ's (registers/staff.py).
    if (person.role === "cashier") li.append(button(t("pinReset"), "pin-reset", () => resetPin(person)));
    else li.append(Object.assign(document.createElement("small"), { textContent: t("resetAtHq") }));
    return li;
  }));
}

/** The new PIN, typed twice on the pad; null when the manager cancels. */
function askNewPin(name) {
  const dialog = $("pin-reset-dialog");
  const input = $("pin-reset-input");
  let first = null;
  const ask = (prompt, error = "") => {
    $("pin-reset-prompt").textContent = prompt;
    $("pin-reset-error").textContent = error;
    input.value = "";
  };
  ask(fill(t("newPin"), { name }));
  dialog.showModal();
  return new Promise((resolve) => {
    const form = dialog.querySelector("form");
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      $("pin-reset-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      input.value = "";
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      const typed = input.value;
      if (!/^\d{4,8}$/.test(typed)) { ask(first === null ? fill(t("newPin"), { name }) : t("newPinAgain"), t("pinDigits")); return; }
      if (first === null) { first = typed; ask(t("newPinAgain")); return; }
      if (typed !== first) { first = null; ask(fill(t("newPin"), { name }), t("pinMismatch")); return; }
      finish(typed);
    };
    const onCancel = (event) => { event.preventDefault(); finish(null); };
    form.addEventListener("submit", onSubmit);
    $("pin-reset-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
  });
}

// The manager's PIN and the reason come from the page's top card, as for a void;
// they are asked for before the new PIN so nobody types it twice for nothing.
async function resetPin(person) {
  if (!pin()) { say(t("needManagerPin")); $("manager-pin").focus(); return; }
  if (!reason()) { say(t("needReason")); $("reason").focus(); return; }
  const newPin = await askNewPin(person.name);
  if (newPin === null) return;
  if (!(await confirmFirst(fill(t("confirmPinReset"), { name: person.name })))) return;
  act(() => api("POST", `/staff/${encodeURIComponent(person.code)}/pin`, { pin: newPin, manager_pin: pin(), reason: reason() }));
}

function wire() {
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nLabel)));
  $("pin-reset-input").after(pinPad($("pin-reset-input")));
  for (const b of document.querySelectorAll('[data-testid="receipt-dialog"] [data-lang]')) {
    b.addEventListener("click", () => showReceipt({ ...shown, lang: b.dataset.lang }));
  }
  $("receipt-as-copy").addEventListener("click", () => showReceipt({ ...shown, copy: !shown.copy }));
  $("clock-in").addEventListener("click", () => act(() => api("POST", "/shifts/start", { pin: pin(), register: cfg.register })));
  $("clock-out").addEventListener("click", () => act(() => api("POST", "/shifts/end", { pin: pin() })));
  $("drawer-submit").addEventListener("click", () => act(() => api("POST", "/drawer", {
    id: crypto.randomUUID(), kind: $("drawer-kind").value, register: cfg.register,
    amount: Number($("drawer-amount").value || 0), reason: reason(), pin: pin(),
  })));
  $("x-report").addEventListener("click", async () => {
    try { renderReport(await api("GET", "/reports/x"), t("xReport")); say(""); } catch (error) { say(error.message); }
  });
  $("z-close").addEventListener("click", async () => {
    try {
      const counted = $("z-counted").value.trim();
      if (!/^\d+$/.test(counted)) { say(t("needCount")); $("z-counted").focus(); return; }
      const x = await api("GET", "/reports/x");
      const expected = x.drawer.reduce((sum, d) => sum + d.expected, 0);
      const text = fill(t("confirmZ"), { day: x.business_date, counted: yen(Number(counted)), expected: yen(expected) });
      if (!(await confirmFirst(text))) return;
      const z = await api("POST", "/reports/z", {
        manager_pin: pin(), queued: tablets.queued, force: $("z-force").checked, counted_cash: Number(counted),
      });
      renderReport({ ...z.report, conflicts: z.conflicts }, `${t("zNumber")} ${z.number} (${z.business_date})`);
      say(t("done"), true);
    } catch (error) { say(error.message); }
  });
  $("receipt-print").addEventListener("click", () => window.print());
  $("receipt-close").addEventListener("click", () => $("receipt-dialog").close());
  refresh().catch((error) => say(error.message));
}

wire();
