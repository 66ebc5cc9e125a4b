// One Jest run, four layers: unit specs beside the code, integration specs against the real MariaDB,
// Redis and Kafka, end-to-end specs that drive whole gateways, and browser specs of the web console.
// `npm test` runs all four.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const tsconfig = JSON.parse(readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8'));
const swcrc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target}`,
  ]),
);

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/kafka/'],
  // Out of the module map and its crawl: tmp/ holds scratch copies of the checkout (.ci/run's Node smoke
  // builds one per Node major, node_modules included, while the unit tests run beside it).
  modulePathIgnorePatterns: ['<rootDir>/tmp/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench,scripts}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.integration-spec.ts'],
      // Fails fast with one message when MariaDB, Redis or Kafka is down; drops stale test databases.
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      slowTestThreshold: 30,
      // Real MariaDB, Redis and Kafka answer slower on a loaded 2-core machine than Jest's 5 s default
      // allows; a spec that needs longer still says so itself.
      setupFilesAfterEnv: ['<rootDir>/test/jest/timeout-30s.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,test}/**/*.e2e-spec.ts'],
      slowTestThreshold: 60,
      // A whole gateway (or seven services) starts in each suite's beforeAll.
      setupFilesAfterEnv: ['<rootDir>/test/jest/timeout-60s.ts'],
    },
    // The web console in Debian's Chromium (playwright-core) against an embedded gateway: docs/console.md.
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      slowTestThreshold: 60,
      setupFilesAfterEnv: ['<rootDir>/test/jest/timeout-60s.ts'],
    },
  ],
};
