"""Amounts of money as whole cents. Money is never a float."""

import re


class BadAmount(ValueError):
    """An amount that cannot be parsed."""


_AMOUNT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")


def parse_amount(s):
    """Read a decimal amount such as "12.34", "0.5" or "7" into cents."""
    m = _AMOUNT.fullmatch(s.strip())
    if m is None:
        raise BadAmount(f"bad amount: {s!r}")
    sign, whole, frac = m.groups()
    cents = int(whole) * 100 + int((frac or "").ljust(2, "0"))
    return -cents if sign else cents


def format_cents(c):
    """Format cents as "12.34" or "-0.05"."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def split(total, n):
    """Divide total into n parts that add up to it exactly and differ by
    at most one cent, the larger parts first."""
    if n <= 0:
        return []
    if total < 0:
        return [-p for p in split(-total, n)]
    each, rest = divmod(total, n)
    return [each + 1 if i < rest else each for i in range(n)]
