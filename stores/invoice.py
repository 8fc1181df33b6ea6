"""Qualified invoice registration numbers (適格請求書発行事業者登録番号). Pure: no I/O.

A number is "T" and 13 digits. The first digit is a check digit over the other
twelve, the scheme of the corporate number (法人番号) that individuals' numbers
share: check = 9 - (sum of digit x weight) mod 9, weights 1, 2, 1, 2 ... counted
from the rightmost digit.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

PATTERN = re.compile(r"^T\d{13}$")


def check_digit(base12: str) -> int:
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base12)))
    return 9 - total % 9


def invoice_number_problem(number: str) -> str | None:
    """Why ``number`` is not a valid registration number, or None when it is."""
    if not PATTERN.match(number):
        return f"{number!r} is not T followed by 13 digits"
    if int(number[1]) != check_digit(number[2:]):
        return f"{number!r} has a wrong check digit (expected {check_digit(number[2:])})"
    return None


def validate_invoice_number(number: str) -> None:
    """Django validator for Store.invoice_number (blank is allowed: not yet registered)."""
    if number and (problem := invoice_number_problem(number)):
        raise ValidationError(problem)
