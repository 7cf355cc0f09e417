"""Amounts of money as whole cents. Money is never a float."""


class BadAmount(ValueError):
    """An amount that cannot be parsed."""


def parse_amount(s):
    """Read a decimal amount such as "12.34", "0.5" or "7" into cents."""
    try:
        return int(float(s) * 100)
    except ValueError:
        raise BadAmount(f"bad amount: {s!r}") from None


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
    return [total // n] * n
