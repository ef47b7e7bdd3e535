// Jest runs in ES-module mode (NestJS 12 ships ESM only): NODE_OPTIONS=--experimental-vm-modules.
import { readFileSync } from 'node:fs';

const swc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));
delete swc.$schema;

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // @tributary/contracts from its TypeScript source, so a test needs no build of it.
  moduleNameMapper: {
    '^@tributary/contracts$': '<rootDir>/contracts/src/index.ts',
    '^@tributary/contracts/(.*)$': '<rootDir>/contracts/src/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  testTimeout: 30000,
  maxWorkers: 2,
};
