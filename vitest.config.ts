/**
 * One vitest run for every package (vitest 4 `test.projects`). infra/test.sh picks projects:
 * shared, server, client and integration together; browser alone, inside a loopback-only
 * network namespace. Packages without tests yet pass (passWithNoTests).
 */
import { defineConfig } from 'vitest/config';

const unitInclude = ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'test/**/*.test.tsx'];

export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      { test: { name: 'shared', root: './shared', include: unitInclude } },
      {
        // Real mediasoup workers in many of these: a loaded 2-core machine needs more than 5 s.
        test: {
          name: 'server',
          root: './server',
          include: unitInclude,
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      { test: { name: 'client', root: './client', include: unitInclude } },
      {
        // Real mediasoup workers, hub processes, redis-server: slower than unit tests.
        test: {
          name: 'integration',
          root: './tests',
          // Suites create many meetings at the same hour with the same host: only the booking API
          // checks clashes there (tests/integration/schedule.test.ts turns the full check on).
          env: { BOOKING_CLASH_CHECK: 'bookings' },
          include: ['integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Headless Chromium (tests/support/browser.ts); one file at a time on a 2-core machine.
        test: {
          name: 'browser',
          root: './tests',
          env: { BOOKING_CLASH_CHECK: 'bookings' },
          include: ['browser/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
