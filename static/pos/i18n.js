// User-facing strings for the JavaScript side, Japanese first (the default), English second.
const STRINGS = {
  ja: {
    online: "オンライン", offline: "オフライン", connecting: "接続中…",
    sent: "送信しました", failed: "送信できません", wrongPin: "PINが違います", cannotSell: "調理場の担当者はレジを開けません",
    no: "No.", total: "合計", change: "お釣り", taxOf: "内消費税", cartEmpty: "商品を選んでください",
    placed: "受付", in_kitchen: "調理中", ready: "お渡し可", served: "提供済", voided: "取消",
    eat_in: "店内", take_out: "持ち帰り", soldOut: "品切れ", options: "オプション",
    note: "メモ", orderNote: "注文メモ（アレルギー等）", notePrompt: "厨房へのメモ（60文字まで）",
    bump: "完了", recall: "呼び戻し", tendered: "お預かり", rejected: "受け付けられません",
    min: "分", reduced: "※軽減税率",
    sec: "秒", accepted: "受付しました", eReceipt: "電子レシート", queued: "未送信", oldest: "最古",
    noNode: "どのサーバーにも接続できません", notSaved: "保存できません", noMenu: "メニューを読み込めません",
    pinOffline: "オフラインです。この端末で一度ログインしたPINのみ使えます",
    persistRefused: "保存領域が未保護です：未送信の売上が消える恐れがあります",
    storageTight: "保存領域が残りわずかです：早めに送信してください",
    pairFailed: "ペアリングできません", paired: "ペアリングしました",
    revokedTitle: "この端末は利用停止されました",
    revokedWiped: "責任者がこの端末を無効にしたため、端末に保存していたデータ（接続用トークン、メニュー、ログイン情報）を消去しました。",
    revokedKept: "未送信の売上 {n} 件は暗号化したまま残しています。この端末をもう一度ペアリングすると送信されます。",
    revokedPair: "もう一度ペアリングする",
    businessDay: "営業日", afterZ: "Z締め後", sellingInto: "翌営業日の売上",
    afterZHint: "本日の営業はZ締め済みです。ここからの売上は翌営業日に計上されます",
    method_cash: "現金", method_card: "カード", method_qr: "QR", approval: "承認番号",
    tenderTooMuch: "カード・QRは残額を超えられません", tenderNothingLeft: "残額はありません",
    payThis: "会計", reducedLegend: "※は軽減税率（8%）対象", checkout: "お会計", paidQueued: "会計しました", receiptLang: "領収書の言語", channel_kiosk: "券売機", channel_qr: "QR注文", channel_table: "テーブル",
  },
  en: {
    online: "Online", offline: "Offline", connecting: "Connecting…",
    sent: "Sent", failed: "Could not send", wrongPin: "Wrong PIN", cannotSell: "Kitchen staff cannot open the register",
    no: "No.", total: "Total", change: "Change", taxOf: "incl. tax", cartEmpty: "Choose items",
    placed: "Placed", in_kitchen: "In kitchen", ready: "Ready", served: "Served", voided: "Voided",
    eat_in: "Eat in", take_out: "Take out", soldOut: "Sold out", options: "Options",
    note: "Note", orderNote: "Order note (allergies…)", notePrompt: "Note for the kitchen (up to 60 characters)",
    bump: "Done", recall: "Recall", tendered: "Tendered", rejected: "Rejected",
    min: "min", reduced: "※ reduced rate",
    sec: "s", accepted: "accepted", eReceipt: "E-receipt", queued: "Unsent", oldest: "oldest",
    noNode: "No store server answers", notSaved: "Could not save", noMenu: "Could not load the menu",
    pinOffline: "Offline: only PINs used on this tablet before work now",
    persistRefused: "Storage not protected: the browser may clear unsent sales",
    storageTight: "Storage almost full: send queued sales soon",
    pairFailed: "Could not pair", paired: "Paired",
    revokedTitle: "This device has been revoked",
    revokedWiped: "A manager revoked this device, so what it kept (its token, the menu, staff logins) has been erased.",
    revokedKept: "{n} unsent sales are kept, encrypted; they are sent once this device is paired again.",
    revokedPair: "Pair this device again",
    businessDay: "Business day", afterZ: "After Z close", sellingInto: "selling into",
    afterZHint: "Today is closed by Z: sales from now on count on the next business day",
    method_cash: "Cash", method_card: "Card", method_qr: "QR", approval: "Approval",
    tenderTooMuch: "Card and QR cannot exceed what is left", tenderNothingLeft: "Nothing is left to pay",
    payThis: "Pay", reducedLegend: "※ reduced tax rate (8%)", checkout: "Checkout", paidQueued: "paid", receiptLang: "Receipt language", channel_kiosk: "Kiosk", channel_qr: "QR order", channel_table: "Table",
  },
};

// The page's language is the server's choice (posweb/middleware.py): the
// store's language unless this tablet picked the other one.
export function lang() {
  return document.documentElement.lang.startsWith("en") ? "en" : "ja";
}

export function t(key) {
  return (STRINGS[lang()] || STRINGS.ja)[key] ?? key;
}

export function nameOf(thing) {
  return lang() === "en" ? (thing.name_en || thing.name_ja) : (thing.name_ja || thing.name);
}

export function yen(amount) {
  return "¥" + Number(amount).toLocaleString("ja-JP");
}

export function config() {
  return JSON.parse(document.getElementById("pos-config").textContent);
}
