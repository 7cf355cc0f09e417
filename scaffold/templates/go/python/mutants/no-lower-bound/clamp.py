"""Keeps numbers within a range; README.md has the contract.

Mutant: a value below the range is returned as it is.
"""


def clamp(v, lo, hi):
    """Return lo when v is below the range, hi when above it, v otherwise."""
    if v > hi:
        return hi
    return v
