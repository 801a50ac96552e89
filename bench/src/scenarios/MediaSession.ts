/**
 * One running server (hub or bare harness) with a prepared meeting and its simulated
 * participants: the chair (host site, publishes; its camera is the program), the operator (grid of
 * every site at the lowest layer) and the bridge points.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Replayer } from '../bots/Replayer.js';
import { SimulatedSite } from '../bots/SimulatedSite.js';
import type { Clip } from '../media/Clip.js';
import { bareMeeting, Organizer, type PreparedMeeting } from '../servers/Organizer.js';
import { type ServerKind, ServerProcess } from '../servers/ServerProcess.js';
import { errorText, log, mapLimit } from '../util/log.js';
import { freeTcpPort, freeUdpPort } from '../util/ports.js';

/** How to set a session up. */
export interface SessionOptions {
  kind: ServerKind;
  /** Invited sites (those that will join at some point). */
  sites: number;
  observers?: number;
  clip: Clip;
  logFile: string;
}

/** Extra hub settings from `--hub-env` (e.g. MEDIA_RTC_PORT=0 for one UDP port per transport). */
let hubOverrides: Record<string, string> = {};

/** Sets the extra environment every hub of this run starts with. */
export function setHubOverrides(env: Record<string, string>): void {
  hubOverrides = { ...env };
}

/** Environment of a hub child: loopback only, a throwaway data dir, a known organizer. */
async function hubEnv(password: string): Promise<Record<string, string>> {
  return {
    PORT: String(await freeTcpPort()),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    GIAOBAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'giaoban-bench-')),
    JWT_SECRET: randomBytes(32).toString('base64url'),
    BENCH_ORGANIZER_PASSWORD: password,
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_IP: '127.0.0.1',
    MEDIA_RTC_PORT: String(await freeUdpPort()),
    MEDIA_RTC_MIN_PORT: '20000',
    MEDIA_RTC_MAX_PORT: '29999',
    LOG_LEVEL: 'info',
    // The hub refuses to book more than 200 sites at once by default; the benchmark's meeting has
    // its host site on top of --sites, and 200 + 1 must be accepted.
    BOOKING_SITE_CAPACITY: '0',
    ...hubOverrides,
  };
}

/** Starts a hub child with a fresh organizer password (for scenarios without media). */
export async function hubServer(logFile: string): Promise<{ server: ServerProcess; password: string }> {
  const password = randomBytes(12).toString('base64url');
  return { server: await ServerProcess.start('hub', await hubEnv(password), logFile), password };
}

export class MediaSession {
  readonly replayer = new Replayer();
  chair: SimulatedSite | null = null;
  operator: SimulatedSite | null = null;
  readonly sites: SimulatedSite[] = [];
  readonly failures: string[] = [];

  private constructor(
    readonly kind: ServerKind,
    readonly server: ServerProcess,
    readonly meeting: PreparedMeeting,
    readonly clip: Clip,
  ) {}

  /** Starts the server and prepares the meeting (no one joined yet). */
  static async open(options: SessionOptions): Promise<MediaSession> {
    const password = randomBytes(12).toString('base64url');
    if (options.kind === 'hub') {
      const server = await ServerProcess.start('hub', await hubEnv(password), options.logFile);
      try {
        const organizer = await Organizer.login(server.url, 'bench', password);
        const meeting = await organizer.prepare(options.sites, options.observers ?? 0);
        return new MediaSession('hub', server, meeting, options.clip);
      } catch (e) {
        await server.stop();
        throw e;
      }
    }
    const server = await ServerProcess.start(
      'bare',
      { PORT: String(await freeTcpPort()), MEDIA_RTC_PORT: String(await freeUdpPort()) },
      options.logFile,
    );
    return new MediaSession('bare', server, bareMeeting(options.sites, options.observers ?? 0), options.clip);
  }

  /** A simulated participant of this session (not started). */
  participant(role: 'chair' | 'operator' | 'site', siteId: string | null): SimulatedSite {
    const token =
      role === 'chair'
        ? this.meeting.chair
        : role === 'operator'
          ? this.meeting.operator
          : this.meeting.sites.get(siteId ?? '');
    if (!token) throw new Error(`participant() | no link for ${role} ${siteId}`);
    return new SimulatedSite(
      { name: siteId ?? role, role, siteId: role === 'chair' ? this.meeting.hostSiteId : siteId, token },
      this.server.url,
      this.clip,
      this.replayer,
    );
  }

  /** The chair joins and publishes; on the hub the meeting then goes live (the program is the host). */
  async startChair(): Promise<SimulatedSite> {
    const chair = this.participant('chair', null);
    this.chair = chair;
    await chair.start();
    if (this.kind === 'hub') {
      await chair.request('meeting:openTechCheck', {});
      await chair.request('meeting:goLive', {});
      await chair.request('agenda:advance', {});
    }
    return chair;
  }

  /** The operator joins with every invited site visible in its grid. */
  async startOperator(): Promise<SimulatedSite> {
    const op = this.participant('operator', null);
    this.operator = op;
    await op.start({ visibleTiles: this.meeting.siteIds });
    return op;
  }

  /** Sites join, `concurrency` at a time; failures are recorded, not thrown. */
  async joinSites(siteIds: readonly string[], concurrency: number): Promise<SimulatedSite[]> {
    const joined = await mapLimit(siteIds, concurrency, async (siteId) => {
      const site = this.participant('site', siteId);
      try {
        await site.start();
        this.sites.push(site);
        return site;
      } catch (e) {
        this.failures.push(errorText(e));
        log('MediaSession.joinSites', 'a site failed to join', { site: siteId, error: errorText(e) });
        site.close();
        return null;
      }
    });
    return joined.filter((s): s is SimulatedSite => s !== null);
  }

  /** Every participant (chair, operator, sites). */
  get everyone(): SimulatedSite[] {
    return [this.chair, this.operator, ...this.sites].filter((s): s is SimulatedSite => s !== null);
  }

  /** Closes every participant and stops the server. */
  async close(): Promise<void> {
    this.replayer.stop();
    for (const p of this.everyone) p.close();
    await this.server.stop();
  }
}
