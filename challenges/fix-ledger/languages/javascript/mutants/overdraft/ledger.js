'use strict';
// Account balances, and money moved between them.

const money = require('./money');

class LedgerError extends Error {}
class NoAccount extends LedgerError {}
class AccountExists extends LedgerError {}
class InvalidAmount extends LedgerError {}
class InsufficientFunds extends LedgerError {}
class BadPage extends LedgerError {}

class Ledger {
  constructor() {
    this.accounts = new Map();
  }

  account(id) {
    const a = this.accounts.get(id);
    if (a === undefined) {
      throw new NoAccount(`no such account: ${id}`);
    }
    return a;
  }

  static add(a, amount, memo) {
    a.balance += amount;
    a.history.push({ seq: a.history.length + 1, amount, balance: a.balance, memo });
  }

  open(id) {
    if (this.accounts.has(id)) {
      throw new AccountExists(`account exists: ${id}`);
    }
    this.accounts.set(id, { balance: 0, history: [] });
  }

  deposit(id, amount) {
    if (!(amount > 0)) {
      throw new InvalidAmount(`amount must be positive: ${amount}`);
    }
    Ledger.add(this.account(id), amount, 'deposit');
  }

  withdraw(id, amount) {
    if (!(amount > 0)) {
      throw new InvalidAmount(`amount must be positive: ${amount}`);
    }
    const a = this.account(id);
    if (a.balance < amount) {
      throw new InsufficientFunds(`insufficient funds in ${id}`);
    }
    Ledger.add(a, -amount, 'withdrawal');
  }

  transfer(from, to, amount) {
    if (!(amount > 0)) {
      throw new InvalidAmount(`amount must be positive: ${amount}`);
    }
    const src = this.account(from);
    const dst = this.account(to);
    Ledger.add(src, -amount, `transfer to ${to}`);
    Ledger.add(dst, amount, `transfer from ${from}`);
  }

  balance(id) {
    return this.account(id).balance;
  }

  // history returns one page of the account's entries, oldest first;
  // pages start at 1.
  history(id, page, size) {
    if (page < 1 || size < 1) {
      throw new BadPage(`page ${page}, size ${size}`);
    }
    const entries = this.account(id).history;
    const start = (page - 1) * size;
    return entries.slice(start, start + size).map((e) => ({ ...e }));
  }
}

module.exports = {
  ...money,
  Ledger, LedgerError, NoAccount, AccountExists, InvalidAmount, InsufficientFunds, BadPage,
};
