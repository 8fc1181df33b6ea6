"""Consumption tax: rates by class and dining, and rounding once per receipt per rate."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registers import tax


@pytest.mark.parametrize(
    ("tax_class", "dining", "rate"),
    [
        ("food", "take_out", 8),
        ("food", "eat_in", 10),
        ("alcohol", "take_out", 10),
        ("alcohol", "eat_in", 10),
        ("other", "take_out", 10),
        ("other", "eat_in", 10),
    ],
)
def test_it_picks_the_rate_by_class_and_dining(tax_class, dining, rate):
    assert tax.rate_for(tax_class, dining) == rate


def test_it_refuses_unknown_classes_and_dining():
    with pytest.raises(ValueError):
        tax.rate_for("tobacco", "eat_in")
    with pytest.raises(ValueError):
        tax.rate_for("food", "delivery")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [(0, 8, 0), (1, 8, 0), (13, 8, 0), (14, 8, 1), (108, 8, 8), (110, 10, 10), (109, 10, 9), (1000, 10, 90), (1000, 8, 74)],
)
def test_it_cuts_off_fractions_of_a_yen(amount, rate, expected):
    assert tax.tax_included_in(amount, rate) == expected


def test_it_rounds_once_per_rate_not_per_line():
    # Ten 100-yen take-out items. Per line: floor(100*8/108) = 7, times 10 = 70.
    # Once per receipt: floor(1000*8/108) = 74. The law wants 74.
    lines = [(100, 8)] * 10
    assert tax.receipt_taxes(lines) == [tax.RateTotal(8, 1000, 74)]


def test_it_keeps_one_entry_per_rate_highest_first():
    result = tax.receipt_taxes([(550, 10), (658, 8), (658, 8), (250, 8)])
    assert [r.as_dict() for r in result] == [
        {"rate": 10, "taxable": 550, "tax": 50},
        {"rate": 8, "taxable": 1566, "tax": 116},
    ]


def test_an_empty_receipt_has_no_tax():
    assert tax.receipt_taxes([]) == []


@given(st.lists(st.tuples(st.integers(0, 100_000), st.sampled_from([8, 10])), max_size=50))
def test_tax_is_exact_floor_of_each_rate_total(lines):
    for entry in tax.receipt_taxes(lines):
        taxable = sum(a for a, r in lines if r == entry.rate)
        assert entry.taxable == taxable
        # tax is the largest whole yen not above the exact tax in the price
        assert entry.tax * (100 + entry.rate) <= taxable * entry.rate < (entry.tax + 1) * (100 + entry.rate)


@given(st.integers(-1_000_000, 1_000_000), st.sampled_from([8, 10]))
def test_a_refund_mirrors_its_sale(amount, rate):
    assert tax.tax_included_in(-amount, rate) == -tax.tax_included_in(amount, rate)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from([8, 10])), max_size=30), st.randoms())
def test_line_order_does_not_change_the_tax(lines, rnd):
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert tax.receipt_taxes(lines) == tax.receipt_taxes(shuffled)
