"""Account balances, and money moved between them."""

import threading
from dataclasses import dataclass

from money import BadAmount, format_cents, parse_amount, split

__all__ = [
    "BadAmount", "format_cents", "parse_amount", "split",
    "Entry", "Ledger", "LedgerError", "NoAccount", "AccountExists",
    "InvalidAmount", "InsufficientFunds", "BadPage",
]


class LedgerError(Exception):
    """The base of the ledger's errors."""


class NoAccount(LedgerError):
    pass


class AccountExists(LedgerError):
    pass


class InvalidAmount(LedgerError):
    pass


class InsufficientFunds(LedgerError):
    pass


class BadPage(LedgerError):
    pass


@dataclass(frozen=True)
class Entry:
    seq: int
    amount: int
    balance: int
    memo: str


class _Account:
    def __init__(self):
        self.balance = 0
        self.history = []

    def add(self, amount, memo):
        self.balance += amount
        self.history.append(Entry(len(self.history) + 1, amount, self.balance, memo))


class Ledger:
    """Accounts; safe for use by many threads at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._accounts = {}

    def _account(self, id):
        try:
            return self._accounts[id]
        except KeyError:
            raise NoAccount(id) from None

    def open(self, id):
        with self._lock:
            if id in self._accounts:
                raise AccountExists(id)
            self._accounts[id] = _Account()

    def deposit(self, id, amount):
        if amount <= 0:
            raise InvalidAmount(amount)
        with self._lock:
            self._account(id).add(amount, "deposit")

    def withdraw(self, id, amount):
        if amount <= 0:
            raise InvalidAmount(amount)
        with self._lock:
            a = self._account(id)
            if a.balance < amount:
                raise InsufficientFunds(id)
            a.add(-amount, "withdrawal")

    def transfer(self, src, dst, amount):
        if amount <= 0:
            raise InvalidAmount(amount)
        with self._lock:
            a, b = self._account(src), self._account(dst)
            a.add(-amount, "transfer to " + dst)
            b.add(amount, "transfer from " + src)

    def balance(self, id):
        with self._lock:
            return self._account(id).balance

    def history(self, id, page, size):
        """One page of the account's entries, oldest first; pages start at 1."""
        if page < 1 or size < 1:
            raise BadPage(f"page {page}, size {size}")
        with self._lock:
            entries = self._account(id).history
            start = page * size
            return list(entries[start:start + size])
