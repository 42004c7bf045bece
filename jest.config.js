/**
 * One jest run covers unit, integration (real PostgreSQL, Redis, NATS) and end-to-end
 * tests (through the gateway). @swc/jest keeps decorator metadata, which type-graphql
 * and MikroORM read; workspace packages resolve to their TypeScript sources.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@storegraph/common$': '<rootDir>/packages/common/src/index.ts',
    '^@storegraph/common/testing$': '<rootDir>/packages/common/src/testing/index.ts',
    '^@storegraph/(users|catalog|orders|payments)$': '<rootDir>/subgraphs/$1/src/app.ts',
    '^@storegraph/gateway$': '<rootDir>/gateway/src/app.ts',
    '^@storegraph/sdk$': '<rootDir>/packages/sdk/src/index.ts',
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/jest.setup.js'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/**/test/integration/**/*.test.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  testTimeout: 60_000,
};
