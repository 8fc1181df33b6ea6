"""Japanese consumption tax on tax-included prices. Pure: no I/O, no Django.

Rules (消費税法, qualified invoice system from October 2023):
- Food and non-alcoholic drink taken out is taxed at the reduced 8 %; eaten in,
  10 %. Alcohol is always 10 %; so is anything that is not food ("other").
- Menu prices include tax. The tax in them is worked out once per receipt per
  rate, from the receipt's tax-included total at that rate, never per line and
  summed: rounding per line would let a long receipt drift by several yen.
- Fractions of a yen are cut off (切り捨て), the most common choice and the one
  Japanese tax authorities accept for rounding once per rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from menu.tax_classes import ALCOHOL, FOOD, OTHER, TAX_CLASSES

__all__ = ["ALCOHOL", "FOOD", "OTHER", "TAX_CLASSES"]  # re-exported: callers say tax.FOOD

EAT_IN = "eat_in"
TAKE_OUT = "take_out"
DINING = (EAT_IN, TAKE_OUT)

STANDARD_RATE = 10
REDUCED_RATE = 8


def rate_for(tax_class: str, dining: str) -> int:
    """The rate in percent for an item of ``tax_class`` sold ``dining``."""
    if tax_class not in TAX_CLASSES:
        raise ValueError(f"unknown tax class {tax_class!r}")
    if dining not in DINING:
        raise ValueError(f"unknown dining {dining!r}")
    if tax_class == FOOD and dining == TAKE_OUT:
        return REDUCED_RATE
    return STANDARD_RATE


def tax_included_in(amount: int, rate: int) -> int:
    """Tax contained in a tax-included ``amount`` at ``rate`` percent, fractions cut off."""
    if amount < 0:
        # Refund receipts: cut toward zero so a refund mirrors its sale exactly.
        return -tax_included_in(-amount, rate)
    return amount * rate // (100 + rate)


@dataclass(frozen=True)
class RateTotal:
    rate: int
    taxable: int  # tax-included total at this rate
    tax: int

    def as_dict(self) -> dict[str, int]:
        return {"rate": self.rate, "taxable": self.taxable, "tax": self.tax}


def receipt_taxes(lines: Iterable[tuple[int, int]]) -> list[RateTotal]:
    """One entry per rate present in ``lines`` of ``(tax-included amount, rate)``, highest rate first."""
    totals: dict[int, int] = {}
    for amount, rate in lines:
        totals[rate] = totals.get(rate, 0) + amount
    return [RateTotal(rate, taxable, tax_included_in(taxable, rate)) for rate, taxable in sorted(totals.items(), reverse=True)]
