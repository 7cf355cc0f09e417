// Keeps numbers within a range; README.md has the contract.
//
// Mutant: a value above the range is returned as it is.
'use strict';

// clamp returns lo when v is below the range, hi when above it, v otherwise.
function clamp(v, lo, hi) {
  if (v < lo) return lo;
  return v;
}

module.exports = { clamp };
