// Runs mediasoup's own Node test suite (shipped compiled in the npm package, node/lib/tests)
// against the worker built by infra/mediasoup/build-worker.sh. It is the acceptance test of our
// offline, Debian-library build: 157 tests, a few seconds. Plain JavaScript, so no transform.
// Prepared and started by infra/test.sh (prepare.sh generates the DTLS test certificate first).
const path = require('node:path');

const mediasoupDir = path.dirname(require.resolve('mediasoup/package.json'));

module.exports = {
  rootDir: mediasoupDir,
  roots: ['<rootDir>/node/lib/tests'],
  testMatch: ['**/node/lib/tests/test-*.js'],
  // Jest skips anything under node_modules by default, which is exactly where these live.
  testPathIgnorePatterns: [],
  haste: { retainAllFiles: true },
  transform: {},
  testEnvironment: 'node',
  // The suite starts many workers; two at a time is what a 2-core machine holds comfortably.
  maxWorkers: 2,
  testTimeout: 20000,
};
