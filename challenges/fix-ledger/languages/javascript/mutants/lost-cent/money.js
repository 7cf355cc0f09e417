'use strict';
// Amounts of money as whole cents. Money is never a float.

class BadAmount extends Error {}

const AMOUNT = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/;

// parseAmount reads a decimal amount such as "12.34", "0.5" or "7" into
// cents.
function parseAmount(s) {
  const m = AMOUNT.exec(String(s).trim());
  if (m === null) {
    throw new BadAmount(`bad amount: ${JSON.stringify(s)}`);
  }
  const cents = Number(m[2]) * 100 + Number((m[3] || '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) {
    throw new BadAmount(`amount out of range: ${JSON.stringify(s)}`);
  }
  return m[1] === '-' ? -cents : cents;
}

// formatCents formats cents as "12.34" or "-0.05".
function formatCents(c) {
  const sign = c < 0 ? '-' : '';
  const abs = Math.abs(c);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

// split divides total into n parts that add up to it exactly and differ
// by at most one cent, the larger parts first.
function split(total, n) {
  if (n <= 0) {
    return [];
  }
  if (total < 0) {
    return split(-total, n).map((p) => -p);
  }
  return Array(n).fill(Math.floor(total / n));
}

module.exports = { BadAmount, parseAmount, formatCents, split };
