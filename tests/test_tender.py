"""Tenders: cash gives change, card and QR never exceed what is due, split tenders settle in order."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registers.tender import Tender, TenderError, settle


def test_cash_gives_change():
    [paid] = settle(2116, [Tender("cash", 3000)])
    assert (paid.applied, paid.tendered, paid.change) == (2116, 3000, 884)


def test_exact_cash_gives_no_change():
    [paid] = settle(980, [Tender("cash", 980)])
    assert paid.change == 0


def test_card_may_not_exceed_what_is_due():
    with pytest.raises(TenderError, match="exceeds the 980 yen due"):
        settle(980, [Tender("card", 1000)])


def test_qr_after_cash_may_not_exceed_the_rest():
    with pytest.raises(TenderError, match="exceeds the 480 yen due"):
        settle(980, [Tender("cash", 500), Tender("qr", 500)])


def test_split_tender_card_then_cash_with_change():
    card, cash = settle(980, [Tender("card", 500, "T-1"), Tender("cash", 1000)])
    assert (card.applied, card.reference) == (500, "T-1")
    assert (cash.applied, cash.change) == (480, 520)


def test_short_payment_is_refused_with_the_shortfall():
    with pytest.raises(TenderError, match="120 yen short of the 980 yen total"):
        settle(980, [Tender("cash", 860)])


def test_a_tender_after_the_bill_is_settled_is_refused():
    with pytest.raises(TenderError, match="already settled"):
        settle(500, [Tender("cash", 1000), Tender("card", 100)])


@pytest.mark.parametrize("amount", [0, -5])
def test_non_positive_amounts_are_refused(amount):
    with pytest.raises(TenderError, match="positive"):
        settle(500, [Tender("cash", amount)])


def test_no_tenders_leaves_the_order_unpaid():
    assert settle(500, []) == []


@given(st.integers(1, 100_000), st.integers(0, 100_000))
def test_cash_always_balances(total, extra):
    [paid] = settle(total, [Tender("cash", total + extra)])
    assert paid.applied == total and paid.change == extra
