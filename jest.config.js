/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // isolatedModules (tsconfig) makes ts-jest transpile only; `npm run lint` type-checks once.
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    '/node_modules/(hyparquet[^/]*|hysnappy|fzstd)/.+\\.m?js$': '<rootDir>/scripts/jest-esm.cjs',
  },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hysnappy|fzstd))'],
  testPathIgnorePatterns: ['/node_modules/', '\\.snapshot/'],
  modulePathIgnorePatterns: ['<rootDir>/cdk.out/', '<rootDir>/dist/'],
  testTimeout: 60000,
  // The Lambda and echo-server assets the constructs deploy, built fresh for every run.
  globalSetup: '<rootDir>/test/global-setup.js',
};
