// The on-screen PIN pad of the login screen: big digits that fill the PIN field,
// so a tablet or phone never needs its own keyboard (the field keeps working
// with a hardware one). Exports pinPad(input) -> the pad's element.
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "back"];

/** A pad whose keys type into ``input`` (its maxlength bounds them). */
export function pinPad(input) {
  const pad = document.createElement("div");
  pad.className = "pin-pad";
  pad.setAttribute("data-testid", "pin-pad");
  for (const k of KEYS) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.key = k;
    b.setAttribute("data-testid", `pin-key-${k}`);
    b.textContent = k === "back" ? "⌫" : k;
    if (k === "back") b.setAttribute("aria-label", "⌫");
    b.addEventListener("click", () => {
      if (k === "C") input.value = "";
      else if (k === "back") input.value = input.value.slice(0, -1);
      else if (input.value.length < input.maxLength) input.value += k;
    });
    pad.append(b);
  }
  return pad;
}
