// Mirror of registers/tax.py for the on-screen cart; the server's figures are the ones recorded.
export function rateFor(taxClass, dining) {
  return taxClass === "food" && dining === "take_out" ? 8 : 10;
}

export function receiptTaxes(lines) {
  const totals = new Map();
  for (const { amount, rate } of lines) totals.set(rate, (totals.get(rate) || 0) + amount);
  return [...totals.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([rate, taxable]) => ({ rate, taxable, tax: Math.floor((taxable * rate) / (100 + rate)) }));
}
