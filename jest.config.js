// One Jest config, four tiers (DESIGN.md, Conventions): unit specs have no I/O, int specs run against the real
// Kafka/Redis/Postgres that `make test` starts once, e2e runs the whole platform, faults kills
// parts of it under load (issue 6 acceptance).
const { pathsToModuleNameMapper, registerAliasResolution } = require('./infra/scripts/jest-paths.js');

registerAliasResolution();

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // cockatiel 4 ships ES modules only: compiled to CommonJS like our own sources (Node itself loads it with require).
  transform: { '^.+\\.ts$': swc, '/node_modules/cockatiel/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!cockatiel/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.local/'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      // Int specs run the real ONNX embedding model, whose native side hands back the host realm's typed arrays.
      testEnvironment: '<rootDir>/libs/embeddings/src/testing/onnx-test.environment.ts',
      globalSetup: '<rootDir>/libs/testing/src/jest/int.global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/slow-tests.setup.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/slow-tests.setup.ts'],
    },
    {
      // Kills services and restarts the broker: runs last, alone, against infrastructure it may disturb.
      ...base,
      displayName: 'faults',
      testMatch: ['<rootDir>/e2e/faults/**/*.faults-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/int.global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest/slow-tests.setup.ts'],
    },
  ],
};
