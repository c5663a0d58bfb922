/**
 * `npm run test:scale-out`: three real gateway processes behind a real HAProxy, sharing one real
 * Redis (test/scale-out; needs Debian's haproxy and redis-server packages).
 */
const base = require('./jest.config');

// One file, its steps in order, and nothing else competing for the CPU: the test measures timing.
module.exports = { ...base, roots: ['<rootDir>/test/scale-out'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 1 };
