// The menu: loaded from a node, kept on the device (and by the service worker)
// so the register sells with the prices it last saw when no node answers, and
// drawn as one button per item. Exports createMenu({ api, onPick }) -> { load, item }.
import { nameOf, t, yen } from "./i18n.js";
import * as outbox from "./outbox.js";
import { $ } from "./dom.js";

/** ``onPick(item)`` runs when the cashier taps an item. */
export function createMenu({ api, onPick }) {
  const shown = { menu: null, category: null };

  async function load() {
    const before = shown.menu && JSON.stringify(shown.menu);
    try {
      const response = await api("/menu");
      if (!response.ok) throw new Error(`menu: ${response.status}`);
      shown.menu = await response.json();
      await outbox.kvSet("menu", shown.menu);
    } catch (error) {
      shown.menu = await outbox.kvGet("menu");
      if (!shown.menu) throw error;
    }
    shown.category = shown.category || shown.menu.categories[0]?.code;
    // The live socket asks for the menu again on every (re)connect. Drawing
    // the same menu anew replaced every button under the cashier's finger: a
    // tap whose press and release straddled it was lost.
    if (JSON.stringify(shown.menu) !== before) render();
  }

  function render() {
    const nav = $("categories");
    nav.replaceChildren(
      ...shown.menu.categories.map((c) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = nameOf(c);
        b.setAttribute("aria-pressed", String(c.code === shown.category));
        b.addEventListener("click", () => {
          shown.category = c.code;
          for (const other of nav.children) other.setAttribute("aria-pressed", String(other === b));
          document.getElementById(`category-${c.code}`)?.scrollIntoView({ block: "start", behavior: "smooth" });
        });
        return b;
      }),
    );
    // Every item is always on screen, grouped by category: a cashier at the
    // lunch rush never hunts through tabs, and a tap target never depends on
    // which tab happens to be open. The category buttons only scroll.
    $("menu-items").replaceChildren(
      ...shown.menu.categories.map((c) => {
        const section = document.createElement("section");
        section.className = "category";
        section.id = `category-${c.code}`;
        const heading = document.createElement("h2");
        heading.textContent = nameOf(c);
        section.append(heading, ...shown.menu.items.filter((item) => item.category === c.code).map(itemButton));
        return section;
      }),
    );
  }

  function itemButton(item) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "item";
    b.dataset.sku = item.sku;
    b.setAttribute("data-testid", "menu-item");
    b.disabled = !item.available;
    b.innerHTML = `<span class="name"></span><span class="price"></span>`;
    b.querySelector(".name").textContent = nameOf(item);
    b.querySelector(".price").textContent = item.available ? yen(item.price) : t("soldOut");
    b.addEventListener("click", () => onPick(item));
    return b;
  }

  /** The menu item with this SKU, as last loaded. */
  function item(sku) {
    return shown.menu.items.find((i) => i.sku === sku);
  }

  return { load, item };
}
