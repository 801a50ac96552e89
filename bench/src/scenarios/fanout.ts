/**
 * State fan-out: many socket.io clients (observers, each with its own join link) in one meeting;
 * a site's queue request / withdrawal and the chair's page turns must reach every one of them.
 * For each change: time from sending the command until each client receives the `meeting:changed`
 * batch that carries it. Clients run in this process (their JSON parsing is part of the figure).
 */
import { PROTOCOL_VERSION } from '@giaoban/shared';
import { io, type Socket } from 'socket.io-client';
import { reportPdf } from '../media/pdf.js';
import { Organizer } from '../servers/Organizer.js';
import { errorText, log, mapLimit, nowMs, sleep } from '../util/log.js';
import { type Distribution, distribution } from '../util/stats.js';
import { hubServer } from './MediaSession.js';

/** A bare protocol client: no media, just state. */
class StateClient {
  readonly socket: Socket;
  constructor(url: string, token: string) {
    this.socket = io(url, {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
    });
  }

  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(e));
    });
    await this.request('meeting:join', {});
  }

  async request<T = unknown>(event: string, payload: unknown): Promise<T> {
    const r = await new Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }>(
      (resolve) =>
        this.socket
          .timeout(60_000)
          .emit(event, payload, (err: unknown, res: never) =>
            resolve(err ? { ok: false, error: { code: 'TIMEOUT', message: String(err) } } : res),
          ),
    );
    if (!r.ok) throw new Error(`${event} refused: ${r.error?.code} ${r.error?.message}`);
    return r.data as T;
  }
}

/** One kind of change and how fast it reached everyone. */
export interface FanoutSeries {
  kind: 'queue' | 'page';
  changes: number;
  /** Per change: when the last client had it. */
  allClients: Distribution;
  /** Every (change, client) arrival. */
  perClient: Distribution;
  /** Arrivals that never came within the timeout. */
  missing: number;
}

export interface FanoutResult {
  observers: number;
  connected: number;
  /** Seconds to connect and join every observer (25 at a time). */
  joinSeconds: number;
  series: FanoutSeries[];
  notes: string[];
}

const TIMEOUT_MS = 10_000;

/** Sends one change and collects every observer's arrival time (NaN when missing). */
async function oneChange(
  observers: readonly StateClient[],
  type: string,
  send: () => Promise<unknown>,
): Promise<number[]> {
  const arrivals = new Array<number>(observers.length).fill(Number.NaN);
  let left = observers.length;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const t0 = nowMs();
  const listeners = observers.map((o, i) => {
    const fn = (batch: { changes: { type: string }[] }) => {
      if (!Number.isNaN(arrivals[i] as number) || !batch.changes.some((c) => c.type === type)) return;
      arrivals[i] = nowMs() - t0;
      if (--left === 0) done();
    };
    o.socket.on('meeting:changed', fn);
    return fn;
  });
  await send();
  await Promise.race([all, sleep(TIMEOUT_MS)]);
  observers.forEach((o, i) => {
    o.socket.off('meeting:changed', listeners[i]);
  });
  return arrivals;
}

function series(kind: FanoutSeries['kind'], runs: number[][]): FanoutSeries {
  const perClient = runs.flat();
  return {
    kind,
    changes: runs.length,
    allClients: distribution(runs.filter((r) => r.every(Number.isFinite)).map((r) => Math.max(...r))),
    perClient: distribution(perClient),
    missing: perClient.filter((v) => !Number.isFinite(v)).length,
  };
}

export async function runFanout(o: {
  observers: number;
  changes: number;
  logFile: string;
}): Promise<FanoutResult> {
  log('runFanout', 'starting', { observers: o.observers });
  const { server, password } = await hubServer(o.logFile);
  const clients: StateClient[] = [];
  const notes: string[] = [];
  try {
    const organizer = await Organizer.login(server.url, 'bench', password);
    const meeting = await organizer.prepare(2, o.observers);
    const chair = new StateClient(server.url, meeting.chair);
    await chair.connect();
    clients.push(chair);
    await chair.request('meeting:openTechCheck', {});
    await chair.request('meeting:goLive', {});
    await chair.request('agenda:advance', {});
    const site = new StateClient(server.url, meeting.sites.get(meeting.siteIds[0] as string) as string);
    await site.connect();
    clients.push(site);
    const t0 = nowMs();
    const observers = (
      await mapLimit(meeting.observers, 25, async (token) => {
        const c = new StateClient(server.url, token);
        clients.push(c);
        try {
          await c.connect();
          return c;
        } catch (e) {
          notes.push(`observer failed to join: ${errorText(e)}`);
          return null;
        }
      })
    ).filter((c): c is StateClient => c !== null);
    const joinSeconds = (nowMs() - t0) / 1000;
    log('runFanout', 'observers joined', { connected: observers.length, seconds: joinSeconds });
    await sleep(2000);

    const queueRuns: number[][] = [];
    for (let i = 0; i < o.changes; i++) {
      let requestId = '';
      queueRuns.push(
        await oneChange(observers, 'queue', async () => {
          requestId = (
            await site.request<{ requestId: string }>('queue:request', { topic: `Kiến nghị số ${i + 1}` })
          ).requestId;
        }),
      );
      await sleep(100);
      queueRuns.push(
        await oneChange(observers, 'queue', () => site.request('queue:withdraw', { requestId })),
      );
      await sleep(100);
    }
    const result: FanoutResult = {
      observers: o.observers,
      connected: observers.length,
      joinSeconds,
      series: [series('queue', queueRuns)],
      notes,
    };

    try {
      const documentId = await organizer.uploadDocument(
        meeting.meetingId,
        reportPdf(3),
        'bao-cao-benchmark.pdf',
      );
      await chair.request('slides:show', { documentId });
      await sleep(500);
      const pageRuns: number[][] = [];
      for (let i = 0; i < o.changes * 2; i++) {
        // 2, 3, 1, 2, ...: every command changes the page.
        const page = ((i + 1) % 3) + 1;
        pageRuns.push(await oneChange(observers, 'slides', () => chair.request('slides:page', { page })));
        await sleep(100);
      }
      result.series.push(series('page', pageRuns));
    } catch (e) {
      notes.push(`page turns not measured: ${errorText(e)}`);
      log('runFanout', 'page turns not measured', { error: errorText(e) });
    }
    for (const s of result.series) {
      log('runFanout', `${s.kind} changes measured`, {
        changes: s.changes,
        p50: s.allClients.p50,
        p95: s.allClients.p95,
        max: s.allClients.max,
      });
    }
    return result;
  } finally {
    for (const c of clients) c.socket.close();
    await server.stop();
  }
}
