/**
 * The fault suite (`npm run test:faults`): the services as separate processes on a
 * PostgreSQL and a nats-server of the suite's own (test/faults/). Not part of `npm test`:
 * it runs the compiled services, so its script builds first. Same transform and module
 * mapping as the e2e project.
 */
const e2e = require('./jest.config.js').projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  testTimeout: 300_000,
};
