/**
 * The small request/response protocol between the benchmark and a server it started (the hub or
 * the bare harness) over Node's IPC channel. Only a handful of calls happen per run, outside the
 * measured windows, so the channel costs nothing measurable.
 */
import type { MediaCounts, PacketTotals, ProducerPackets } from './MediaCensus.js';

/** CPU and memory of one mediasoup worker, from its getrusage (mediasoup's getResourceUsage). */
export interface WorkerUsage {
  pid: number;
  /** ru_utime + ru_stime in ms. */
  cpuMs: number;
  /** ru_maxrss in MB: the worker's peak resident memory. */
  maxRssMb: number;
}

/** What `usage` returns. */
export interface ServerUsage {
  workers: WorkerUsage[];
  /** process.cpuUsage() of the server's Node process, ms. */
  processCpuMs: number;
  processPeakRssMb: number;
}

/** Calls a server answers. */
export interface ServerCalls {
  usage: ServerUsage;
  packets: PacketTotals;
  counts: MediaCounts;
  /** Argument: producer ids. */
  producerPackets: ProducerPackets[];
  /** Argument: a producer id; `firstRtp` then answers the wall-clock ms of its next RTP packet. */
  watchFirstRtp: null;
  firstRtp: number | null;
  stop: null;
}
export type ServerCall = keyof ServerCalls;

/** Parent → server. */
export interface IpcRequest {
  id: number;
  call: ServerCall;
  arg?: unknown;
}

/** Server → parent. */
export type IpcMessage =
  | { ready: { url: string } }
  | { id: number; result: unknown }
  | { id: number; error: string };

/** Serves the calls in a server process. */
export function serveIpc(handlers: { [K in ServerCall]: (arg: unknown) => Promise<ServerCalls[K]> }): void {
  process.on('message', (raw: unknown) => {
    const req = raw as IpcRequest;
    if (typeof req?.id !== 'number') return;
    const handler = handlers[req.call];
    if (!handler) {
      process.send?.({ id: req.id, error: `unknown call ${String(req.call)}` } satisfies IpcMessage);
      return;
    }
    handler(req.arg).then(
      (result) => process.send?.({ id: req.id, result } satisfies IpcMessage),
      (e: unknown) =>
        process.send?.({
          id: req.id,
          error: e instanceof Error ? e.message : String(e),
        } satisfies IpcMessage),
    );
  });
  // The benchmark going away takes its servers with it.
  process.on('disconnect', () => process.exit(0));
}
