'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { clamp } = require('./clamp');

test('clamp below', () => {
  for (const v of [-3, 1]) {
    assert.equal(clamp(v, 2, 10), 2, 'a value below the range becomes its lower bound');
  }
  assert.equal(clamp(5, 2, 10), 5, 'a value within the range stays as it is');
});

test('clamp above', () => {
  for (const v of [11, 42]) {
    assert.equal(clamp(v, 2, 10), 10, 'a value above the range becomes its upper bound');
  }
});
