"""Re-pricing an order after price overrides and discounts. Pure: no I/O.

A discount on the whole bill is split over the tax rates in proportion to each
rate's total, because the invoice must show the total and the tax per rate
after the discount; the yen left over by the split goes to the highest rate,
so the parts always add up to the discount. (The leftover goes to the rate
with the largest total, so no rate's total can go below zero.)
"""

from __future__ import annotations

from dataclasses import dataclass

from registers import sets, tax


@dataclass(frozen=True)
class Line:
    position: int
    qty: int
    unit_price: int
    tax_rate: int
    parts: list[tuple[int, int]] | None = None  # a set's (rate, share) per component: registers/sets.py


def reprice(lines: list[Line], overrides: dict[int, int], discount: int) -> tuple[list[Line], int, list[dict[str, int]]]:
    """Lines with ``overrides`` (position -> unit price) applied, the total after ``discount``, and taxes per rate."""
    priced = [Line(x.position, x.qty, overrides.get(x.position, x.unit_price), x.tax_rate, x.parts) for x in lines]
    by_rate: dict[int, int] = {}
    for line in priced:
        for rate, amount in sets.line_rates(line.qty, line.unit_price, line.tax_rate, line.parts).items():
            by_rate[rate] = by_rate.get(rate, 0) + amount
    gross = sum(by_rate.values())
    discount = max(0, min(discount, gross))
    rates = sorted(by_rate, reverse=True)
    shares = {rate: (discount * by_rate[rate] // gross if gross else 0) for rate in rates}
    if rates:
        largest = max(rates, key=lambda rate: (by_rate[rate], rate))
        shares[largest] += discount - sum(shares.values())
    taxes = [
        tax.RateTotal(rate, by_rate[rate] - shares[rate], tax.tax_included_in(by_rate[rate] - shares[rate], rate)).as_dict()
        for rate in rates
    ]
    return priced, gross - discount, taxes
