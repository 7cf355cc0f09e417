'use strict';
// Amounts of money as whole cents. Money is never a float.

class BadAmount extends Error {}

const AMOUNT = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/;

// parseAmount reads a decimal amount such as "12.34", "0.5" or "7" into
// cents.
function parseAmount(s) {
  const f = parseFloat(s);
  if (Number.isNaN(f)) {
    throw new BadAmount(`bad amount: ${JSON.stringify(s)}`);
  }
  return Math.trunc(f * 100);
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
  const each = Math.floor(total / n);
  const rest = total % n;
  return Array.from({ length: n }, (_, i) => (i < rest ? each + 1 : each));
}

module.exports = { BadAmount, parseAmount, formatCents, split };
