/** Tests run through HTTP against a real PostgreSQL (DATABASE_URL, else an embedded one). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|graphile-worker|graphile-config|@graphile|iso-3166|canonicalize)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker runs its 'exit' within 1 ms of jest's END message and holds no handle, but the
  // process itself (native teardown) can take over jest's default 500 ms to end on a loaded
  // machine, which jest then reports as "failed to exit gracefully" and kills.
  workerGracefulExitTimeout: 5000,
};
