import { config } from 'zod';

/**
 * The hub's Content-Security-Policy forbids eval. zod probes `new Function` when the shared
 * schemas are defined; the probe is caught but Chromium still reports a CSP violation on every
 * page. Turning zod's JIT off skips the probe. Imported first by main.tsx, before @giaoban/shared.
 */
config({ jitless: true });
