// 年齢確認: before the first alcoholic item of an order the cashier confirms
// the customer is 20 or over (Japan's drinking age). "Alcoholic" is the menu's
// alcohol tax class, HQ master data: the same definition the tax rules use.
// Exports createAgeCheck({ cart }) -> allow(item) (resolves true to add the item).
import { $ } from "./dom.js";

const ALCOHOL = "alcohol";

/** ``cart`` is cart.js's cart: an empty cart is a new order, asked again. */
export function createAgeCheck({ cart }) {
  const order = { confirmed: false };

  function allow(item) {
    if (cart.isEmpty) order.confirmed = false;
    if (item.tax_class !== ALCOHOL || order.confirmed) return Promise.resolve(true);
    const dialog = $("age-dialog");
    return new Promise((resolve) => {
      dialog.onclose = () => {
        order.confirmed = dialog.returnValue === "ok";
        resolve(order.confirmed);
      };
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  return allow;
}
