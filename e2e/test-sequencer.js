// Runs test files in the same order on every machine: largest file first (what jest does when it
// has no cache), never reordered by the timings and failures jest caches from earlier runs. The
// integration and cluster tiers run in band on one shared broker and API server, so an order
// dependence between files shows up here first, not only in CI's different order.
const { statSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

class StableSequencer extends Sequencer {
  sort(tests) {
    const size = (test) => statSync(test.path).size;
    return [...tests].sort((a, b) => size(b) - size(a) || a.path.localeCompare(b.path));
  }
}

module.exports = StableSequencer;
