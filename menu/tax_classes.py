"""The tax classes a menu item can have. Pure: no I/O.

They live with the catalogue because an item carries one; what rate a class
is taxed at, and how, is ``registers/tax.py``'s business.
"""

from __future__ import annotations

FOOD = "food"
ALCOHOL = "alcohol"
OTHER = "other"
TAX_CLASSES = (FOOD, ALCOHOL, OTHER)
