/**
 * The hub from outside, as an attacker tries it — written from the protocol (@giaoban/shared),
 * not from the server's code. Classes: every client event fed generated bad payloads from its own
 * zod schema (fast-check), over WebSocket and over HTTP long-polling; unauthenticated and
 * wrong-role raw packets; connection-state recovery with another link; floods; organizer login
 * brute force; framing headers; oversize bodies and uploads.
 *
 * After every batch the same three things hold: the hub answers, a legitimate client still works,
 * and the meeting's state (agenda, queue, floor, stage, slides, sites' declarations and mics) is
 * exactly what it was.
 */
import {
  CLIENT_EVENT_NAMES,
  type ClientEventName,
  ClientEvents,
  type MeetingSnapshot,
  PROTOCOL_VERSION,
  parseClientPayload,
  type SiteId,
} from '@giaoban/shared';
import fc from 'fast-check';
import { io, Manager } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Hub } from '../../server/src/main.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { api, createMeeting, type HubSocket, issueLink, login, must } from '../support/meeting.js';

type Transport = 'websocket' | 'polling';
const TRANSPORTS: readonly Transport[] = ['websocket', 'polling'];
const HUE = 'hue' as SiteId;
const DA_NANG = 'da-nang' as SiteId;
const HAI_PHONG = 'hai-phong' as SiteId;
/**
 * Generated bad payloads per event and transport: bounded, so the file stays fast on 2 busy cores,
 * and within the smallest request budget of a fresh link (6 joins/syncs at once), so the hub's
 * rate limit answers none of them with LIMIT.
 */
const RUNS_PER_EVENT = Number(process.env.ATTACK_RUNS_PER_EVENT ?? 6);
/** A fixed seed: a failure names its counterexample and replays the same way. */
const SEED = Number(process.env.ATTACK_SEED ?? 20261205);
const ACK_TIMEOUT_MS = 10_000;

let hub: Hub;
let url: string;
let orgToken: string;
let meetingId: string;
const tokens: Record<string, string> = {};
const sockets: HubSocket[] = [];
/** The legitimate participants, joined before any attack and never used to attack. */
let chair: HubSocket;
let watcher: HubSocket;
let baseline: string;

/** The token of one of the links issued in beforeAll. */
function tok(name: string): string {
  const token = tokens[name];
  if (!token) throw new Error(`no link ${name}`);
  return token;
}

/** A typed socket on one transport; resolves once connected. */
function open(token: string, transport: Transport, extra: Record<string, unknown> = {}): Promise<HubSocket> {
  const socket: HubSocket = io(url, {
    auth: { token, protocolVersion: PROTOCOL_VERSION, ...extra },
    transports: [transport],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function joined(token: string, transport: Transport): Promise<HubSocket> {
  const s = await open(token, transport);
  await ok(s, 'meeting:join', {});
  return s;
}

type Answer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Emits any payload and waits for the ack. A LIMIT refusal (the hub's request budget, a few per
 * second) is waited out and retried: the budget is the hub working, not what a test is about.
 */
async function send(socket: HubSocket, event: string, payload: unknown): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    // biome-ignore lint/suspicious/noExplicitAny: attacks send what the types forbid
    const answer: Answer = await (socket.timeout(ACK_TIMEOUT_MS) as any).emitWithAck(event, payload);
    if (answer.ok || answer.error.code !== 'LIMIT' || attempt >= 40) return answer;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A request that must succeed (retried past LIMIT like {@link send}). */
async function ok<T = unknown>(socket: HubSocket, event: string, payload: unknown): Promise<T> {
  const answer = await send(socket, event, payload);
  if (!answer.ok) throw new Error(`${event} refused: ${answer.error.code} ${answer.error.message}`);
  return answer.data as T;
}

/**
 * What must survive every attack: the whole meeting state except who is connected right now
 * (participants, connection totals, sites' connection and join/leave times) and the version.
 */
function fingerprint(s: MeetingSnapshot): string {
  const { version: _version, participants: _participants, totals: _totals, sites, ...rest } = s;
  return JSON.stringify({
    ...rest,
    sites: sites.map(({ connection: _c, firstJoinedAt: _f, lastLeftAt: _l, ...site }) => site),
  });
}

/** The hub answers HTTP, the legitimate clients still work, and the meeting is as it was. */
async function expectIntact(what: string): Promise<void> {
  const health = await fetch(`${url}/api/health`);
  expect(health.status, `${what}: health`).toBe(200);
  const seen = await ok<MeetingSnapshot>(watcher, 'meeting:sync', {});
  expect(fingerprint(seen), `${what}: meeting state`).toBe(baseline);
  // A moderator's harmless command still goes through.
  const pin = await send(chair, 'stage:pin', { siteId: null });
  expect(pin.ok, `${what}: chair command ${JSON.stringify(pin)}`).toBe(true);
  expect(
    fingerprint(await ok<MeetingSnapshot>(chair, 'meeting:sync', {})),
    `${what}: state after the chair's command`,
  ).toBe(baseline);
}

beforeAll(async () => {
  hub = await startTestHub({ DOCUMENT_MAX_MB: '1' });
  url = hub.url.replace('localhost', '127.0.0.1');
  orgToken = await login(url, 'org', 'org-password');
  const summary = await createMeeting(url, orgToken, {
    title: 'Giao ban trực tuyến — kiểm thử tấn công',
    scheduledAt: Date.now() + 3600_000,
    hostSiteId: HOST_SITE,
    chairName: 'Đồng chí Chủ trì',
    // Open-ended turns: nothing changes by itself while the attacks run.
    floorSeconds: 0,
    invitedSiteIds: [HUE, DA_NANG, HAI_PHONG],
  });
  meetingId = summary.meeting.id;
  for (const title of ['Báo cáo kết quả công tác', 'Thảo luận']) {
    await api(url, 'POST', `/api/meetings/${meetingId}/agenda`, orgToken, {
      title,
      kind: 'report',
      plannedMinutes: 10,
    });
  }
  const people = {
    chair: { role: 'chair' },
    watcher: { role: 'observer' },
    hue: { role: 'site', siteId: HUE },
    daNang: { role: 'site', siteId: DA_NANG },
    // Attackers hold links of their own, so no legitimate connection is ever replaced.
    siteWrong: { role: 'site', siteId: HAI_PHONG },
    observerWrong: { role: 'observer' },
    secretaryWrong: { role: 'secretary' },
    observerRecover: { role: 'observer' },
    chairRecover: { role: 'chair' },
    flooder: { role: 'site', siteId: HAI_PHONG },
    rawWebsocket: { role: 'site', siteId: HAI_PHONG },
    rawPolling: { role: 'site', siteId: HAI_PHONG },
    oversize: { role: 'site', siteId: HAI_PHONG },
  } as const;
  for (const [name, body] of Object.entries(people)) {
    tokens[name] = (await issueLink(url, orgToken, meetingId, body)).token;
  }
  // A meeting in full swing: live, item 1 open, Huế holds the floor, Đà Nẵng waits in the queue.
  chair = await joined(tok('chair'), 'websocket');
  watcher = await joined(tok('watcher'), 'polling');
  const hue = await joined(tok('hue'), 'websocket');
  const daNang = await joined(tok('daNang'), 'polling');
  await must(chair, 'meeting:openTechCheck', {});
  await must(chair, 'meeting:goLive', {});
  await must(chair, 'agenda:advance', {});
  await must(hue, 'site:declare', { delegates: 42 });
  const { requestId } = await must(hue, 'queue:request', { topic: 'Tiến độ giải ngân vốn đầu tư công' });
  await must(chair, 'floor:grant', { requestId: requestId as never });
  await must(daNang, 'queue:request', { topic: 'Kiến nghị về đất đai' });
  baseline = fingerprint(await must(watcher, 'meeting:sync', {}));
  const state = JSON.parse(baseline) as { queue: MeetingSnapshot['queue'] };
  expect(state.queue.floor?.siteId).toBe(HUE);
  expect(state.queue.requests.map((r) => r.siteId)).toEqual([DA_NANG]);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.stop();
});

// ---------------------------------------------------------------------------------------------
// Generated bad payloads, derived from each event's schema
// ---------------------------------------------------------------------------------------------

/** Values of every JSON shape, including the awkward ones. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: 301, max: 70_000 }).map((n) => 'ý'.repeat(n)),
  fc.integer(),
  fc.constantFrom(-1, 0, 1.5, -0.5, 2 ** 53, -(2 ** 53), 1e308, -1e308),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '<script>alert(1)</script>', '$where', '__proto__'),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
  // Deep nesting: parsers and validators must not recurse into trouble.
  fc.integer({ min: 50, max: 3_000 }).map((depth) => {
    let v: unknown = 'x';
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true}}')),
  fc.constant({ constructor: { prototype: { polluted: true } } }),
);

/** Keys an attacker adds: identity smuggling, prototype pollution, or just one more. */
const extraKey = fc.constantFrom(
  'siteId',
  'role',
  'participantId',
  'meetingId',
  'userId',
  '__proto__',
  'constructor',
  'zzz',
);

/** The top-level property names of an object schema (from its JSON Schema), or none. */
function propertiesOf(schema: z.ZodType): string[] {
  try {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
      anyOf?: { properties?: Record<string, unknown> }[];
    };
    const props = { ...json.properties };
    for (const alt of json.anyOf ?? []) Object.assign(props, alt.properties);
    return Object.keys(props);
  } catch {
    return [];
  }
}

/** As the hub receives it: socket.io sends JSON, so what JSON cannot carry is gone. */
function overTheWire(v: unknown): unknown {
  const text = JSON.stringify(v);
  return text === undefined ? null : JSON.parse(text);
}

/**
 * Payloads the event's schema refuses: near misses (its own keys with wrong values, one key too
 * many) and anything at all. Filtered through the schema itself, after the JSON round trip, so
 * every one is truly invalid — the hub must answer each with VALIDATION.
 */
function badPayloads(event: ClientEventName): fc.Arbitrary<unknown> {
  const schema: z.ZodType = ClientEvents[event].payload;
  const keys = propertiesOf(schema);
  const nearMiss =
    keys.length > 0
      ? fc
          .tuple(
            fc.record(Object.fromEntries(keys.map((k) => [k, junk])), { requiredKeys: [] }),
            fc.option(fc.tuple(extraKey, junk), { nil: null }),
          )
          .map(([o, extra]) => (extra ? { ...o, [extra[0]]: extra[1] } : o))
      : fc.tuple(extraKey, junk).map(([k, v]) => ({ [k]: v }));
  return fc
    .oneof(
      { arbitrary: nearMiss, weight: 3 },
      { arbitrary: junk, weight: 1 },
      { arbitrary: fc.anything(), weight: 1 },
    )
    .map(overTheWire)
    .filter((p) => !schema.safeParse(p ?? {}).success);
}

describe('every client event, fed generated bad payloads from its schema', () => {
  for (const transport of TRANSPORTS) {
    it(`is answered VALIDATION over ${transport}, and nothing changes`, async () => {
      const counted: Record<string, number> = {};
      for (const event of CLIENT_EVENT_NAMES) {
        // A fresh link per event (its own request budget), a chair on one transport and a site on
        // the other; not joined: validation comes before any state or role check.
        const body =
          transport === 'websocket'
            ? { role: 'chair' as const }
            : { role: 'site' as const, siteId: HAI_PHONG };
        const attacker = await open((await issueLink(url, orgToken, meetingId, body)).token, transport);
        await fc.assert(
          fc.asyncProperty(badPayloads(event), async (payload) => {
            const answer = await send(attacker, event, payload);
            expect(answer.ok, `${event} accepted ${JSON.stringify(payload)?.slice(0, 200)}`).toBe(false);
            if (!answer.ok) {
              expect(answer.error.code).toBe('VALIDATION');
              expect(answer.error.message.length).toBeGreaterThan(0);
            }
            counted[event] = (counted[event] ?? 0) + 1;
          }),
          { numRuns: RUNS_PER_EVENT, seed: SEED, endOnFailure: true },
        );
        expect(attacker.connected, `${event}: the attacker's own connection survives`).toBe(true);
        attacker.close();
      }
      expect(Object.keys(counted)).toEqual(CLIENT_EVENT_NAMES);
      console.info(
        `attack-surface | ${transport}: ${Object.values(counted).reduce((a, b) => a + b, 0)} bad payloads over ` +
          `${CLIENT_EVENT_NAMES.length} events, every one VALIDATION [seed:${SEED}]`,
      );
      await expectIntact(`bad payloads over ${transport}`);
    }, 120_000);
  }
});

// ---------------------------------------------------------------------------------------------
// Wrong roles: valid payloads, forbidden actors
// ---------------------------------------------------------------------------------------------

/** A valid payload for each event (checked against the schema below), with real ids of this meeting. */
async function validPayloads(): Promise<Record<string, unknown>> {
  const snap = await ok<MeetingSnapshot>(watcher, 'meeting:sync', {});
  const itemId = snap.agenda.items[1]?.id ?? 'item';
  const requestId = snap.queue.requests[0]?.id ?? 'request';
  return {
    'meeting:openTechCheck': {},
    'meeting:goLive': {},
    'meeting:end': {},
    'site:declare': { delegates: 7, siteId: DA_NANG },
    'stage:pin': { siteId: DA_NANG },
    'mic:set': { siteId: DA_NANG, open: true },
    'mic:selfMute': { muted: true },
    'agenda:advance': {},
    'agenda:open': { itemId },
    'queue:request': { topic: 'Xin phát biểu' },
    'queue:withdraw': { requestId },
    'queue:reorder': { requestIds: [requestId] },
    'floor:grant': { requestId },
    'floor:revoke': {},
    'floor:extend': { seconds: 60 },
    'floor:yield': {},
    'minutes:list': {},
    'minutes:add': { agendaItemId: itemId, kind: 'conclusion', text: 'Kết luận giả mạo' },
    'minutes:confirm': { entryId: 'entry' },
    'slides:show': { documentId: 'document' },
    'slides:page': { page: 2 },
    'slides:presenter': { siteId: DA_NANG },
    'slides:stop': {},
    'doc:update': { update: 'AAA=' },
    'doc:confirm': { conclusionId: 'conclusion', confirmed: true },
    'doc:conclusions': {},
    'recording:start': {},
    'recording:stop': {},
    'relay:totals': { invitedSites: 130, connectedSites: 130, delegates: 99_999, localSession: false },
    'relay:localSegment': { local: true },
    'relay:requestFloor': { topic: 'Giả mạo cầu cấp dưới' },
    'sip:dialOut': { siteId: DA_NANG, uri: 'sip:phonghop@127.0.0.1:5999' },
    'sip:hangUp': { siteId: DA_NANG },
  };
}

const MODERATION = [
  'meeting:openTechCheck',
  'meeting:goLive',
  'meeting:end',
  'stage:pin',
  'mic:set',
  'agenda:advance',
  'agenda:open',
  'queue:reorder',
  'floor:grant',
  'floor:revoke',
  'floor:extend',
  'slides:show',
  'slides:page',
  'slides:presenter',
  'slides:stop',
  'recording:start',
  'recording:stop',
  'sip:dialOut',
  'sip:hangUp',
];
const SECRETARIAL = ['minutes:list', 'minutes:add', 'minutes:confirm', 'doc:update', 'doc:conclusions'];
const SITE_ONLY = ['site:declare', 'mic:selfMute', 'queue:request', 'queue:withdraw', 'floor:yield'];
/** Linked meetings: totals only from a relay link's hub; the local segment and the parent's floor only from the chair. */
const LINKED = ['relay:totals', 'relay:localSegment', 'relay:requestFloor'];
/** What each role must be refused (FORBIDDEN), whatever it sends. */
const FORBIDDEN_TO = {
  siteWrong: [...MODERATION, ...SECRETARIAL, ...LINKED, 'doc:confirm'],
  observerWrong: [...MODERATION, ...SECRETARIAL, ...SITE_ONLY, ...LINKED, 'doc:confirm'],
  secretaryWrong: [...MODERATION, ...SITE_ONLY, ...LINKED, 'doc:confirm'],
} as const;

describe('wrong roles', () => {
  const cases = [
    ['siteWrong', 'websocket'],
    ['observerWrong', 'polling'],
    ['secretaryWrong', 'websocket'],
  ] as const;
  for (const [who, transport] of cases) {
    it(`${who} over ${transport} is refused FORBIDDEN for every event its role may not send`, async () => {
      const socket = await joined(tok(who), transport);
      const payloads = await validPayloads();
      const events = FORBIDDEN_TO[who].filter((e): e is ClientEventName =>
        (CLIENT_EVENT_NAMES as readonly string[]).includes(e),
      );
      expect(events.length).toBeGreaterThan(10);
      for (const event of events) {
        expect(
          parseClientPayload(event, payloads[event]).success,
          `${event}: the test's payload is valid`,
        ).toBe(true);
        const answer = await send(socket, event, payloads[event]);
        expect(answer.ok ? 'ok' : answer.error.code, `${who} ${event}`).toBe('FORBIDDEN');
      }
      await expectIntact(`${who} over ${transport}`);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Raw packets, below socket.io-client's good manners
// ---------------------------------------------------------------------------------------------

/**
 * An engine.io connection with no socket.io session on it: raw socket.io packets are written as
 * they are (`0…` CONNECT, `2…` EVENT, `5…` BINARY_EVENT). Collects what the hub sends back.
 */
async function rawEngine(transport: Transport): Promise<{
  write(packet: string): void;
  received: string[];
  closed(): boolean;
  /** Resolves when a message matching `re` arrives, or the hub closed the connection. */
  next(re: RegExp): Promise<string | 'closed'>;
  close(): void;
}> {
  const manager = new Manager(url, { transports: [transport], reconnection: false, autoConnect: false });
  await new Promise<void>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve())));
  const engine = manager.engine;
  const received: string[] = [];
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  engine.on('message', (data) => {
    received.push(String(data));
    wake();
  });
  engine.on('close', () => {
    closed = true;
    wake();
  });
  return {
    write: (packet) => engine.write(packet),
    received,
    closed: () => closed,
    next: (re) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no answer matching ${re}; got ${received}`)),
          ACK_TIMEOUT_MS,
        );
        const check = () => {
          const hit = received.find((m) => re.test(m));
          if (hit !== undefined || closed) {
            clearTimeout(timer);
            resolve(hit ?? 'closed');
          } else waiters.push(check);
        };
        check();
      }),
    close: () => manager.engine.close(),
  };
}

describe('raw packets', () => {
  for (const transport of TRANSPORTS) {
    it(`unauthenticated packets over ${transport} are refused or dropped, never acted on`, async () => {
      const forged = [
        // CONNECT without auth, with garbage, with a token of the wrong kind or an unsigned one.
        '0',
        '0{"token":"garbage-garbage","protocolVersion":1}',
        `0{"token":"${tok('hue')}x","protocolVersion":1}`,
        `0{"token":"eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: 'x', mid: meetingId, role: 'chair', sid: null, name: 'x', exp: 9e9 })).toString('base64url')}.","protocolVersion":1}`,
        `0{"token":"${orgToken}","protocolVersion":1}`,
        '0{"token":12345678901,"protocolVersion":"1"}',
        '0[1,2,3]',
        '0/admin,',
      ];
      for (const packet of forged) {
        const raw = await rawEngine(transport);
        raw.write(packet);
        const answer = await raw.next(/^4/);
        // A CONNECT_ERROR (4) with a code from the closed set, or the connection dropped.
        if (answer !== 'closed') {
          expect(answer, packet).toMatch(/UNAUTHENTICATED|VALIDATION|PROTOCOL_MISMATCH|Invalid namespace/);
          expect(answer).not.toMatch(/"sid"/);
        }
        raw.close();
      }
      // Events, acks and binary packets with no session: dropped (the hub closes that connection).
      const orphans = [
        '2["meeting:end",{}]',
        '21["floor:revoke",{}]',
        '3', // an ack nobody asked for
        '31[{"ok":true}]',
        '51-["queue:request",{"_placeholder":true,"num":0}]',
        '59999999-["x",{"_placeholder":true,"num":0}]',
        '2[',
        '2{}',
        '2["__proto__",{"polluted":true}]',
        '9',
        'x',
        '',
      ];
      for (const packet of orphans) {
        const raw = await rawEngine(transport);
        raw.write(packet);
        // Then a CONNECT without auth: its refusal proves the packet before it was processed.
        raw.write('0');
        await raw.next(/^4/);
        raw.close();
      }
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
      await expectIntact(`raw unauthenticated packets over ${transport}`);
    });

    it(`authenticated raw packets over ${transport}: not joined, wrong role, malformed — each refused`, async () => {
      const raw = await rawEngine(transport);
      const token = tok(transport === 'websocket' ? 'rawWebsocket' : 'rawPolling');
      raw.write(`0${JSON.stringify({ token, protocolVersion: PROTOCOL_VERSION })}`);
      expect(await raw.next(/^0/)).toMatch(/"sid"/);
      raw.write('21["floor:grant",{"siteId":"hai-phong"}]');
      expect(await raw.next(/^31/)).toMatch(/INVALID_STATE/);
      raw.write('22["meeting:join",{}]');
      expect(await raw.next(/^32/)).toMatch(/"ok":true/);
      raw.write('23["floor:grant",{"siteId":"hai-phong"}]');
      expect(await raw.next(/^33/)).toMatch(/FORBIDDEN/);
      // Extra arguments, or none: the ack is not the second argument, so the request is dropped
      // unanswered (and never run); the connection carries on.
      raw.write('24["meeting:end",{},"extra","args"]');
      raw.write('25["queue:request"]');
      raw.write('26["no:such:event",{}]');
      raw.write('2["queue:request",{"topic":"no ack"}]');
      raw.write('27["meeting:sync",{}]');
      expect(await raw.next(/^37/)).toMatch(/"ok":true/);
      // A binary packet whose attachment never comes, then text: a parse error closes this connection only.
      raw.write('51-["queue:request",{"_placeholder":true,"num":0}]');
      raw.write('28["meeting:sync",{}]');
      expect(await raw.next(/^38/)).toBe('closed');
      raw.close();
      await expectIntact(`authenticated raw packets over ${transport}`);
    });
  }

  it('engine.io over bare HTTP: garbage bodies, unknown sessions and the poll that used to kill the hub', async () => {
    const base = `${url}/socket.io/?EIO=4&transport=polling`;
    const handshake = async (): Promise<string> => {
      const text = await (await fetch(base)).text();
      return (JSON.parse(text.slice(1)) as { sid: string }).sid;
    };
    // The long-polling handshake followed by one poll: both answered, the hub lives.
    const sid = await handshake();
    const poll = fetch(`${base}&sid=${sid}`);
    const bodies = [
      'x',
      '4',
      '1',
      '2probe',
      '40\u001e41\u001e42["meeting:end"]',
      '\u001e'.repeat(1000),
      'b'.repeat(10),
    ];
    for (const body of bodies) {
      const res = await fetch(`${base}&sid=${sid}`, { method: 'POST', body });
      expect([200, 400]).toContain(res.status);
    }
    await poll;
    for (const query of ['&sid=nope', '&transport=carrier-pigeon', '&EIO=3', '&EIO=999']) {
      const res = await fetch(`${base}${query}`);
      expect(res.status, query).toBeGreaterThanOrEqual(400);
      expect(res.status, query).toBeLessThan(500);
    }
    // More than maxHttpBufferSize in one POST: refused, the session closed, nothing else harmed.
    const big = await handshake();
    const res = await fetch(`${base}&sid=${big}`, { method: 'POST', body: `4${'x'.repeat(2_000_000)}` });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await expectIntact('bare engine.io requests');
  });
});

// ---------------------------------------------------------------------------------------------
// Connection-state recovery must be bound to the link
// ---------------------------------------------------------------------------------------------

describe('connection-state recovery', () => {
  /** Connects, receives a broadcast (so it holds a recovery offset), then loses its transport. */
  async function parkedSession(token: string): Promise<{ sid: string; pid: string; offset: string }> {
    const s = await joined(token, 'websocket');
    const changed = new Promise<void>((resolve) => s.once('meeting:changed', () => resolve()));
    // A change everyone sees (and that leaves the fingerprint as it was).
    await must(chair, 'stage:pin', { siteId: HUE });
    await must(chair, 'stage:pin', { siteId: null });
    await changed;
    const inner = s as unknown as { _pid?: string; _lastOffset?: string; id?: string };
    const session = { sid: inner.id ?? '', pid: inner._pid ?? '', offset: inner._lastOffset ?? '' };
    expect(session.pid, 'the hub offers recovery').not.toBe('');
    expect(session.offset).not.toBe('');
    // Not a clean disconnect: the transport drops, so the hub parks the session for recovery.
    s.io.engine.close();
    await new Promise((r) => setTimeout(r, 200));
    return session;
  }

  /** Connects with `token`, presenting someone's parked session. */
  function resume(
    token: string,
    session: { pid: string; offset: string },
    onEvent?: (event: string) => void,
  ): Promise<HubSocket> {
    const socket: HubSocket = io(url, {
      auth: { token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    sockets.push(socket);
    Object.assign(socket, { _pid: session.pid, _lastOffset: session.offset });
    if (onEvent) socket.onAny((event: string) => onEvent(event));
    socket.connect();
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  it("another link presenting a chair's parked session starts fresh: no chair rooms, not joined", async () => {
    const parked = await parkedSession(tok('chairRecover'));
    // While the chair is away the meeting changes: a recovered chair session would replay this.
    await must(chair, 'stage:pin', { siteId: HUE });
    await must(chair, 'stage:pin', { siteId: null });
    const seen: string[] = [];
    const intruder = await resume(tok('observerRecover'), parked, (event) => seen.push(event));
    // socket.io restores a parked session before any middleware runs; the hub then unbinds it
    // from the other link: the chair's rooms are left and what the chair missed is dropped.
    // It is a connection of the observer link that has not joined anything.
    const before = await send(intruder, 'meeting:sync', {});
    expect(before.ok ? 'ok' : before.error.code).toBe('INVALID_STATE');
    // A change after the resume reaches the meeting's room (the watcher) but not this connection.
    await must(chair, 'stage:pin', { siteId: HUE });
    await must(chair, 'stage:pin', { siteId: null });
    await ok<MeetingSnapshot>(watcher, 'meeting:sync', {});
    await send(intruder, 'meeting:sync', {});
    expect(seen).not.toContain('meeting:changed');
    expect(seen).not.toContain('doc:updated');
    expect(seen).not.toContain('media:audioLevels');
    await expectIntact('recovery with another link');
  });

  it('the same link recovers its own parked session', async () => {
    const parked = await parkedSession(tok('chairRecover'));
    const again = await resume(tok('chairRecover'), parked);
    expect(again.recovered).toBe(true);
    expect(again.id).toBe(parked.sid);
    await expectIntact('recovery with the same link');
  });
});

// ---------------------------------------------------------------------------------------------
// Floods
// ---------------------------------------------------------------------------------------------

describe('floods', () => {
  it("a site's flood of commands, junk and unknown events: every request answered, the chair's command goes through", async () => {
    const flooder = await joined(tok('flooder'), 'websocket');
    const N = 600;
    const answers: Promise<Answer>[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: a flood sends what the types forbid
    const emit = flooder.timeout(60_000) as any;
    for (let i = 0; i < N; i++) {
      answers.push(emit.emitWithAck('mic:selfMute', { muted: false })); // no change: already unmuted
      answers.push(emit.emitWithAck('queue:request', { topic: 7 }));
      answers.push(emit.emitWithAck('meeting:sync', {}));
      (flooder.emit as (e: string, p: unknown) => void)('no:such:event', { i });
      (flooder.emit as (e: string, p: unknown) => void)('mic:selfMute', { muted: false }); // no ack
    }
    // The chair acts in the middle of it.
    const pin = await send(chair, 'stage:pin', { siteId: null });
    expect(pin.ok).toBe(true);
    const settled = await Promise.all(answers);
    const codes = new Map<string, number>();
    for (const a of settled) {
      const code = a.ok ? 'ok' : a.error.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    console.info(
      `attack-surface | flood of ${settled.length} requests answered: ${JSON.stringify([...codes])}`,
    );
    // Only these answers: done, invalid, or over budget — never an internal error or silence.
    expect([...codes.keys()].every((c) => ['ok', 'VALIDATION', 'LIMIT'].includes(c))).toBe(true);
    await expectIntact('flood');
  });

  it('a storm of connections with bad tokens and idle handshakes is refused without harm', async () => {
    const refusals = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        open(`forged-token-${i}-${'x'.repeat(i)}`, i % 2 ? 'websocket' : 'polling').then(
          () => 'connected',
          (err: { data?: { code?: string } }) => err.data?.code ?? 'refused',
        ),
      ),
    );
    expect(refusals.every((r) => r === 'UNAUTHENTICATED' || r === 'VALIDATION')).toBe(true);
    const idle = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${url}/socket.io/?EIO=4&transport=polling`).then((r) => r.status),
      ),
    );
    expect(idle.every((s) => s === 200)).toBe(true);
    await expectIntact('connection storm');
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP: framing headers, oversize bodies and uploads, login brute force (last: it locks 'org')
// ---------------------------------------------------------------------------------------------

describe('HTTP', () => {
  it('no page or API answer may be framed', async () => {
    const paths = [
      '/',
      '/join',
      '/organizer',
      '/api/health',
      '/api/meetings',
      '/api/nope',
      '/assets/nope.js',
    ];
    for (const p of paths) {
      const res = await fetch(`${url}${p}`);
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('content-security-policy'), p).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      // A missing file is a 404, not an internal error.
      expect(res.status, p).toBeLessThan(500);
    }
  });

  it('oversize JSON bodies, uploads and socket payloads are refused; the hub carries on', async () => {
    const big = await fetch(`${url}/api/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${orgToken}` },
      body: JSON.stringify({ title: 'x'.repeat(400_000) }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('LIMIT');
    // DOCUMENT_MAX_MB=1: a 3 MB "report" is refused with LIMIT.
    const upload = await fetch(`${url}/api/meetings/${meetingId}/documents?filename=bao-cao.pdf`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', authorization: `Bearer ${orgToken}` },
      body: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3 * 1024 * 1024, 0x20)]),
    });
    expect(upload.status).toBe(413);
    expect(((await upload.json()) as { error: { code: string } }).error.code).toBe('LIMIT');
    // A socket.io payload over the hub's 1 MB limit: that connection is dropped, nothing else.
    for (const transport of TRANSPORTS) {
      const s = await joined(tok('oversize'), transport);
      const gone = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
      (s.emit as (e: string, p: unknown) => void)('queue:request', { topic: 'x'.repeat(1_500_000) });
      await gone;
    }
    await expectIntact('oversize');
  });

  it('organizer login: guesses are locked out per account and per address; sign-out revokes the session', async () => {
    const loginAs = (username: string, password: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    const second = await login(url, 'org', 'org-password');
    // Guessing at 'org': a few wrong answers, then every attempt is refused before any check.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await loginAs('org', `guess-${i}`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // Locked: even the right password is refused now.
    expect((await loginAs('org', 'org-password')).status).toBe(429);
    // Many names from one address: the address is locked too.
    const spray: number[] = [];
    for (let i = 0; i < 20; i++) spray.push((await loginAs(`user-${i}`, 'password')).status);
    expect(spray.filter((s) => s === 401).length).toBeLessThan(20);
    expect(spray.at(-1)).toBe(429);
    // Sessions already signed in keep working; signing out revokes that one session only.
    expect(
      (await fetch(`${url}/api/meetings`, { headers: { authorization: `Bearer ${second}` } })).status,
    ).toBe(200);
    const out = await fetch(`${url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${second}` },
    });
    expect(out.status).toBe(204);
    expect(
      (await fetch(`${url}/api/meetings`, { headers: { authorization: `Bearer ${second}` } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${url}/api/meetings`, { headers: { authorization: `Bearer ${orgToken}` } })).status,
    ).toBe(200);
    await expectIntact('login brute force');
  });
});
