// The cart: lines with their modifiers, eat in or take out, totals with the
// taxes of each rate, its drawing and the modifier dialog. Exports
// createCart({ itemOf }) -> { add, clear, render, totals, unitPrice,
// setDining, lines, dining, note, isEmpty }.
import { nameOf, t, yen } from "./i18n.js";
import { rateFor, receiptTaxes } from "./tax.js";
import { $ } from "./dom.js";

const NOTE_MAX = 60; // registers/events.py NOTE_MAX; the server says why it refuses anything else

/** Ask for a kitchen note (アレルギー, 少なめ); returns the new note, or the old one when cancelled. */
function askNote(old) {
  const text = window.prompt(t("notePrompt"), old || "");
  if (text === null) return old;
  // Control characters and newlines are refused by the server: keep what a cook can read.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trim().slice(0, NOTE_MAX);
}

function defaultModifiers(item) {
  // Required choices default to the first option so a tap rings the usual
  // thing at once; the cashier changes it only when the customer asks.
  return item.modifier_groups.flatMap((g) => g.modifiers.slice(0, g.min).map((m) => m.code));
}

/** ``itemOf(sku)`` is the menu's item. */
export function createCart({ itemOf }) {
  const cart = { lines: [], dining: "eat_in", note: "" };

  function add(item) {
    const modifiers = defaultModifiers(item);
    const same = cart.lines.find((l) => l.sku === item.sku && !l.note && l.modifiers.join() === modifiers.join());
    if (same) same.qty += 1;
    else cart.lines.push({ sku: item.sku, qty: 1, modifiers });
    render();
  }

  function clear() {
    cart.lines = [];
    cart.note = "";
    render();
  }

  function setDining(dining) {
    cart.dining = dining;
    render();
  }

  function unitPrice(line) {
    const item = itemOf(line.sku);
    const mods = item.modifier_groups.flatMap((g) => g.modifiers);
    return item.price + line.modifiers.reduce((sum, code) => sum + (mods.find((m) => m.code === code)?.price_delta || 0), 0);
  }

  function totals() {
    const lines = cart.lines.map((l) => ({
      amount: unitPrice(l) * l.qty,
      rate: rateFor(itemOf(l.sku).tax_class, cart.dining),
    }));
    return { total: lines.reduce((s, l) => s + l.amount, 0), taxes: receiptTaxes(lines) };
  }

  function render() {
    $("cart-lines").replaceChildren(...cart.lines.map(lineItem));
    renderOrderNote();
    const { total, taxes } = totals();
    $("cart-total").textContent = yen(total);
    $("cart-taxes").textContent = taxes.map((x) => `${x.rate}% ${yen(x.tax)}`).join(" / ");
    // The phone sheet's count and the ※ legend are the register's; the waiter's page (tables.js) has neither.
    const count = $("cart-count");
    if (count) count.textContent = cart.lines.reduce((n, l) => n + l.qty, 0);
    const legend = $("reduced-legend");
    if (legend) {
      legend.textContent = t("reducedLegend");
      legend.hidden = !cart.lines.some((l) => rateFor(itemOf(l.sku).tax_class, cart.dining) === 8);
    }
  }

  function lineItem(line, index) {
    const item = itemOf(line.sku);
    const li = document.createElement("li");
    li.dataset.lineSku = line.sku; // not data-sku: that hook belongs to the menu buttons
    const mods = item.modifier_groups.flatMap((g) => g.modifiers).filter((m) => line.modifiers.includes(m.code));
    li.innerHTML = `<span class="name"></span><span class="mods"></span>
      <span class="qty"><button type="button" class="minus" aria-label="-">−</button><b></b><button type="button" class="plus" aria-label="+">＋</button></span>
      <span class="amount"></span>`;
    li.querySelector(".name").textContent = nameOf(item) + (rateFor(item.tax_class, cart.dining) === 8 ? " ※" : "");
    li.querySelector(".mods").textContent = [...mods.map(nameOf), ...(line.note ? [`★ ${line.note}`] : [])].join("・");
    li.querySelector(".qty b").textContent = line.qty;
    li.querySelector(".amount").textContent = yen(unitPrice(line) * line.qty);
    li.querySelector(".minus").addEventListener("click", () => { line.qty -= 1; if (!line.qty) cart.lines.splice(index, 1); render(); });
    li.querySelector(".plus").addEventListener("click", () => { line.qty = Math.min(99, line.qty + 1); render(); });
    if (item.modifier_groups.length) {
      const edit = document.createElement("button");
      edit.type = "button";
      edit.className = "edit";
      edit.dataset.testid = "line-options";
      edit.setAttribute("data-testid", "line-options");
      edit.textContent = t("options");
      edit.addEventListener("click", () => editModifiers(line));
      li.append(edit);
    }
    const note = document.createElement("button");
    note.type = "button";
    note.className = "edit line-note";
    note.setAttribute("data-testid", "line-note");
    note.textContent = t("note");
    note.addEventListener("click", () => { line.note = askNote(line.note); render(); });
    li.append(note);
    return li;
  }

  // The whole order's kitchen note: a button made here so the page needs no change; on the
  // register it joins the eat in / take out row (no height taken from a phone's menu),
  // elsewhere (a table's next round) it goes under the lines.
  function renderOrderNote() {
    const lines = $("cart-lines");
    let button = lines.parentElement.querySelector('[data-testid="order-note"]');
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "edit order-note";
      button.setAttribute("data-testid", "order-note");
      button.addEventListener("click", () => { cart.note = askNote(cart.note); render(); });
      const dining = lines.parentElement.querySelector(".dining");
      if (dining) dining.append(button);
      else lines.after(button);
    }
    button.textContent = cart.note ? `★ ${cart.note}` : t("orderNote");
  }

  function editModifiers(line) {
    const item = itemOf(line.sku);
    const dialog = $("modifier-dialog");
    dialog.querySelector(".title").textContent = nameOf(item);
    const groups = dialog.querySelector(".groups");
    groups.replaceChildren(...item.modifier_groups.map((g) => modifierGroup(g, line)));
    dialog.onclose = () => {
      if (dialog.returnValue !== "ok") return;
      line.modifiers = [...groups.querySelectorAll("input:checked")].map((i) => i.value);
      render();
    };
    dialog.showModal();
  }

  return {
    add,
    clear,
    render,
    totals,
    unitPrice,
    setDining,
    get lines() { return cart.lines; },
    get dining() { return cart.dining; },
    get note() { return cart.note; },
    get isEmpty() { return !cart.lines.length; },
  };
}

function modifierGroup(g, line) {
  const fs = document.createElement("fieldset");
  const legend = document.createElement("legend");
  legend.textContent = nameOf(g);
  fs.append(legend);
  const single = g.max === 1;
  for (const m of g.modifiers) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = single && g.min === 1 ? "radio" : "checkbox";
    input.name = g.code;
    input.value = m.code;
    input.checked = line.modifiers.includes(m.code);
    label.append(input, ` ${nameOf(m)}${m.price_delta ? ` (${m.price_delta > 0 ? "+" : "−"}${yen(Math.abs(m.price_delta))})` : ""}`);
    fs.append(label);
  }
  return fs;
}
