/**
 * Child process: the real hub, started through its composition root `startHub()` exactly as
 * `npm start` does (server/src/main.ts), plus the benchmark's IPC calls. Nothing of the hub is
 * replaced or patched; mediasoup's observer API lets us count its media objects from outside.
 *
 * Environment: the hub's own variables (PORT, HOST, MEDIA_*, JWT_SECRET, ...), set by the parent,
 * and BENCH_ORGANIZER_PASSWORD for the organizer account the benchmark signs in with.
 */
import mediasoup from 'mediasoup';
import { type IpcMessage, serveIpc } from './ipc.js';
import { MediaCensus } from './MediaCensus.js';

const census = new MediaCensus(mediasoup);
const { startHub } = await import('@giaoban/server');
const { hashPassword } = await import('@giaoban/server/dist/auth/passwords.js');

const hub = await startHub({
  ...process.env,
  GIAOBAN_ORGANIZERS: `bench:${hashPassword(process.env.BENCH_ORGANIZER_PASSWORD ?? '')}`,
});

serveIpc({
  usage: async () => ({
    workers: (await hub.parts.pool.getResourceUsage()).flatMap((w) =>
      w.usage
        ? [{ pid: w.pid, cpuMs: w.usage.ru_utime + w.usage.ru_stime, maxRssMb: w.usage.ru_maxrss / 1024 }]
        : [],
    ),
    processCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    processPeakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
  packets: () => census.packetTotals(),
  counts: async () => census.counts(),
  producerPackets: (ids) => census.producerPackets(ids as string[]),
  watchFirstRtp: (id) => census.watchFirstRtp(String(id)),
  firstRtp: async (id) => census.firstRtp(String(id)),
  stop: async () => {
    await hub.stop();
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.send?.({ ready: { url: hub.url.replace('localhost', '127.0.0.1') } } satisfies IpcMessage);
