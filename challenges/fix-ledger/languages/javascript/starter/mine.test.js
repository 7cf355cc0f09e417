'use strict';
// A first check you can run with `node --test`. Add your own tests here:
// the grader ignores this file and runs its own, more thorough tests.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Ledger } = require('./ledger');

test('deposit', () => {
  const l = new Ledger();
  l.open('alice');
  l.deposit('alice', 1234);
  assert.equal(l.balance('alice'), 1234);
});
