"""Keeps numbers within a range; README.md has the contract.

This is the reference solution.
"""


def clamp(v, lo, hi):
    """Return lo when v is below the range, hi when above it, v otherwise."""
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v
