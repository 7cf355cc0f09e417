// Keeps numbers within a range; README.md has the contract.
//
// This is the reference solution.
'use strict';

// clamp returns lo when v is below the range, hi when above it, v otherwise.
function clamp(v, lo, hi) {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

module.exports = { clamp };
