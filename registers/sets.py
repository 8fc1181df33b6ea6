"""Set menus (定食・セット): splitting a set's price over its components. Pure: no I/O.

A set is sold as one line at one tax-included price, but its components may
be taxed at different rates (a 唐揚げ定食 with 烏龍茶 taken out: food and the
tea at 8 %; with a beer: the beer at 10 %). The invoice must show the total
and the tax per rate, so the set's price is split over its components:

- each component weighs its own price as sold on its own (unit price x qty
  in the set); a component with no price of its own weighs nothing;
- the set's unit price is split in proportion to the weights, each share cut
  to whole yen, and the yen left over go one each to the components with the
  largest cut-off fractions (ties: the earlier component), so the shares
  always add up to the set's price exactly (largest remainder method);
- when every weight is zero, the components weigh the same.

The split is per set; a line of ``qty`` sets is ``qty`` times each share.
The split is made once, when the set is sold, and recorded with the sale, so
a later price change at HQ never changes a receipt.
"""

from __future__ import annotations


def split_price(price: int, weights: list[int]) -> list[int]:
    """``price`` (whole yen, >= 0) split over ``weights`` (>= 0), in whole yen adding up to ``price``."""
    if not weights:
        raise ValueError("a set needs at least one component")
    if price < 0 or any(w < 0 for w in weights):
        raise ValueError("prices and weights are never negative")
    if not any(weights):
        weights = [1] * len(weights)
    total = sum(weights)
    shares = [price * w // total for w in weights]
    left = price - sum(shares)
    # The largest fractions first; for equal fractions the earlier component.
    order = sorted(range(len(weights)), key=lambda i: (-(price * weights[i] % total), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def line_rates(qty: int, unit_price: int, rate: int, parts: list[tuple[int, int]] | None) -> dict[int, int]:
    """A line's tax-included yen per tax rate: ``qty`` x ``unit_price`` at the line's own
    ``rate``, or for a set at its components' rates, ``parts`` being each
    component's ``(rate, share)`` of one set. When the unit price is no longer the
    one the shares were split from (a manager's price override), it is split again
    in proportion to the shares, by the same rule."""
    if not parts:
        return {rate: qty * unit_price}
    shares = [share for _, share in parts]
    if sum(shares) != unit_price:
        shares = split_price(unit_price, shares)
    by_rate: dict[int, int] = {}
    for (part_rate, _), share in zip(parts, shares, strict=True):
        by_rate[part_rate] = by_rate.get(part_rate, 0) + qty * share
    return by_rate
