import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // s3rver (the local S3 API used by adapter tests) encrypts ListObjectsV2 continuation tokens with DES,
    // which OpenSSL 3 only offers through the legacy provider. Passed per worker, not via NODE_OPTIONS.
    execArgv: ['--openssl-legacy-provider'],
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
