'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  Ledger, NoAccount, AccountExists, InvalidAmount, InsufficientFunds, BadPage,
  BadAmount, parseAmount, formatCents, split,
} = require('./ledger');

test('deposit and withdraw', () => {
  const l = new Ledger();
  l.open('alice');
  assert.throws(() => l.open('alice'), AccountExists);
  l.deposit('alice', 1234);
  l.withdraw('alice', 234);
  assert.equal(l.balance('alice'), 1000);
  assert.throws(() => l.deposit('alice', 0), InvalidAmount);
  assert.throws(() => l.deposit('bob', 5), NoAccount);
  assert.throws(() => l.withdraw('alice', 1001), InsufficientFunds);
  assert.equal(l.balance('alice'), 1000);
});

test('parse amount', async (t) => {
  const cases = [['0.29', 29], ['0.5', 50], ['7', 700], ['-4.35', -435], [' 12.34 ', 1234],
    ['1.10', 110], ['19.99', 1999], ['1000000.01', 100000001]];
  for (const [text, cents] of cases) {
    await t.test(JSON.stringify(text), () => assert.equal(parseAmount(text), cents));
  }
});

test('parse amount refuses', async (t) => {
  for (const text of ['', '1.234', '1.', '.5', '1e2', '1,50', 'abc', '--1', 'NaN', 'Infinity', '0x10']) {
    await t.test(JSON.stringify(text), () => assert.throws(() => parseAmount(text), BadAmount));
  }
});

test('split keeps every cent', async (t) => {
  for (const [total, n] of [[100, 3], [1, 4], [0, 2], [1001, 7], [999999, 13]]) {
    await t.test(`${total}/${n}`, () => {
      const parts = split(total, n);
      assert.equal(parts.length, n);
      assert.equal(parts.reduce((a, b) => a + b, 0), total, `split(${total}, ${n}) = [${parts}]`);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
      assert.deepEqual(parts, [...parts].sort((a, b) => b - a));
    });
  }
});

test('history pages', () => {
  const l = new Ledger();
  l.open('a');
  for (let i = 1; i <= 5; i++) {
    l.deposit('a', i * 100);
  }
  const page1 = l.history('a', 1, 2);
  assert.deepEqual(page1.map((e) => e.seq), [1, 2], 'page 1 holds entries 1 and 2');
  assert.deepEqual(page1[1], { seq: 2, amount: 200, balance: 300, memo: 'deposit' });
  assert.deepEqual(l.history('a', 3, 2).map((e) => e.seq), [5]);
  assert.deepEqual(l.history('a', 4, 2), []);
  assert.throws(() => l.history('a', 0, 2), BadPage);
  assert.throws(() => l.history('zed', 1, 2), NoAccount);
});

test('transfer rules', () => {
  const l = new Ledger();
  l.open('a');
  l.open('b');
  l.deposit('a', 500);
  assert.throws(() => l.transfer('a', 'b', 501), InsufficientFunds);
  assert.throws(() => l.transfer('a', 'b', -5), InvalidAmount);
  assert.throws(() => l.transfer('a', 'nobody', 5), NoAccount);
  assert.deepEqual([l.balance('a'), l.balance('b')], [500, 0], 'a failed transfer changes nothing');
  l.transfer('a', 'b', 200);
  assert.deepEqual([l.balance('a'), l.balance('b')], [300, 200]);
  assert.equal(l.history('b', 1, 10).at(-1).memo, 'transfer from a');
  assert.equal(l.history('a', 1, 10).at(-1).memo, 'transfer to b');
});

test('format cents', () => {
  assert.equal(formatCents(1234), '12.34');
  assert.equal(formatCents(-5), '-0.05');
  assert.equal(formatCents(700), '7.00');
  assert.equal(formatCents(0), '0.00');
});
