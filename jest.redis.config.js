/** `npm run test:redis`: the tests that need a real redis-server (started by test/support/redis-server.ts). */
const base = require('./jest.config');

module.exports = { ...base, roots: ['<rootDir>/test/redis'], testPathIgnorePatterns: [] };
