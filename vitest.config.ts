import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.toolchain/**', 'dist/**'],
    // Tests start real processes (the VSE, the backend, socat, Chromium): forks isolate them.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition; its bound is only where a wait gives up. The default
    // (1 s) gave up on loaded 2-core machines while the condition was still coming.
    expect: { poll: { timeout: 20_000 } },
    reporters: ['default'],
  },
});
