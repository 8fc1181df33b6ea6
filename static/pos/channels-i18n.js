// Strings of the customer pages (kiosk, QR order, status board), Japanese first.
// Kept apart from i18n.js so the register's strings file stays the register's.
import { lang } from "./i18n.js";

export { lang, nameOf, yen, config } from "./i18n.js";

const STRINGS = {
  ja: {
    online: "オンライン", offline: "オフライン", connecting: "接続中…",
    welcome: "ご注文はこちら", touchToStart: "画面にタッチしてください",
    eat_in: "店内でお召し上がり", take_out: "お持ち帰り",
    cart: "ご注文内容", cartEmpty: "商品をお選びください", total: "合計", add: "追加する", cancel: "やめる",
    payCounter: "カウンターでお支払い", order: "注文する", sending: "送信中…", remove: "削除",
    soldOut: "品切れ", paused: "ただいまご注文を受け付けておりません", pausedHint: "お手数ですがレジでご注文ください",
    yourNumber: "お客様の番号", payAtCounter: "カウンターで番号をお伝えのうえお支払いください",
    accepted: "受付済み", in_kitchen: "キッチンに届きました", ready: "お受け取りください", served: "お渡し済み", cancelled: "取消", rejected: "受付できませんでした",
    newOrder: "新しい注文", notifyMe: "できあがったら通知する", notifyOn: "できあがったらこの端末に通知します",
    notifyUnsupported: "この端末は通知に対応していません", notifyDenied: "通知が許可されませんでした",
    failed: "送信できませんでした。もう一度お試しください", required: "必須", table: "テーブル",
  },
  en: {
    online: "Online", offline: "Offline", connecting: "Connecting…",
    welcome: "Order here", touchToStart: "Touch the screen to start",
    eat_in: "Eat in", take_out: "Take out",
    cart: "Your order", cartEmpty: "Choose something", total: "Total", add: "Add", cancel: "Cancel",
    payCounter: "Pay at the counter", order: "Place order", sending: "Sending…", remove: "Remove",
    soldOut: "Sold out", paused: "We are not taking orders here right now", pausedHint: "Please order at the counter",
    yourNumber: "Your number", payAtCounter: "Please pay at the counter with this number",
    accepted: "Received", in_kitchen: "The kitchen has it", ready: "Ready to collect", served: "Handed over", cancelled: "Cancelled", rejected: "Could not be taken",
    newOrder: "New order", notifyMe: "Notify me when it's ready", notifyOn: "This phone will be told when it's ready",
    notifyUnsupported: "This device cannot show notifications", notifyDenied: "Notifications were not allowed",
    failed: "Could not send. Please try again", required: "required", table: "Table",
  },
};

export function t(key) {
  return (STRINGS[lang()] || STRINGS.ja)[key] ?? key;
}
