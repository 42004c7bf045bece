/**
 * The cluster fault suite (`npm run test:cluster`): the local cluster of scripts/cluster
 * (3 NATS nodes, Redis with Sentinels, two replicas of every service behind HAProxy) on the
 * shared PostgreSQL, each process SIGKILLed in turn under load. Not part of `npm test`:
 * it runs the compiled services, so its script builds first.
 */
const e2e = require('./jest.config.js').projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...e2e,
  displayName: 'cluster',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testTimeout: 600_000,
};
