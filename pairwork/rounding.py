"""The one rounding of a figure the project shows: to the nearest, halves away from zero.

A page and an export of the same figure round it here, so they never differ
(Django's number formatting cuts digits off, and Python's format() rounds
halves to even, so −1685.7 € once read −1 685 € on the page and −1686 in the
CSV). A float is taken at its shortest decimal form (2.675 is 2.675, not the
binary 2.67499…), as a person reading it would.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value, places: int) -> Decimal:
    """value rounded to `places` decimals (halves away from zero), as a Decimal with exactly that many.

    A value that rounds to zero is zero, never minus zero.
    """
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)) if isinstance(value, float) else str(value))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never "-0.00"
