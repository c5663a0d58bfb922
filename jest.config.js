/** Tests run TypeScript through ts-jest in transpile-only mode; `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Redis-backed tests need a redis-server: `npm run test:redis` (jest.redis.config.js).
  // The scale-out suite needs haproxy and redis-server: `npm run test:scale-out` (jest.scale-out.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/redis/', '<rootDir>/test/scale-out/'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
};
