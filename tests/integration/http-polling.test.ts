/**
 * HTTP has one owner. socket.io's long-polling transport and the express app share the port;
 * a polling request must be answered by engine.io alone (when both answered, the second write
 * threw ERR_HTTP_HEADERS_SENT outside any handler and the process exited). Also: a real client
 * limited to long-polling — what the page falls back to behind a proxy without WebSocket — joins
 * and follows the meeting.
 */
import type { SiteId } from '@giaoban/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MeetingFixture, setupMeeting } from '../support/inProcessHub.js';
import { connect, eventually, type HubSocket, must } from '../support/meeting.js';

const SITES = ['hue'] as SiteId[];
let fx: MeetingFixture;
const open: HubSocket[] = [];

beforeAll(async () => {
  fx = await setupMeeting(SITES, {
    chair: { role: 'chair' },
    hue: { role: 'site', siteId: 'hue' },
  });
});

afterAll(async () => {
  for (const s of open) s.close();
  await fx?.hub.stop();
});

/** Parses engine.io's open packet ("0{...}") from a polling handshake body. */
function sessionId(body: string): string {
  const m = /^0(\{.*\})/.exec(body);
  if (!m?.[1]) throw new Error(`not an engine.io open packet: ${body.slice(0, 80)}`);
  return (JSON.parse(m[1]) as { sid: string }).sid;
}

describe('long-polling and the HTTP app on one port', () => {
  it('an unauthenticated polling handshake and poll are answered by engine.io only, and the hub stays up', async () => {
    for (let round = 0; round < 3; round++) {
      const hs = await fetch(`${fx.url}/socket.io/?EIO=4&transport=polling`);
      expect(hs.status).toBe(200);
      const sid = sessionId(await hs.text());
      // The poll is held by engine.io until it has something to send (or its ping): start it,
      // and while it is held send the socket.io CONNECT without auth so the hub answers it.
      const poll = fetch(`${fx.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      const post = await fetch(`${fx.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        body: '40',
      });
      expect(post.status).toBe(200);
      expect(await post.text()).toBe('ok');
      const polled = await poll;
      expect(polled.status).toBe(200);
      // Refused at the handshake (no token): socket.io's CONNECT_ERROR packet, not express's 404 page.
      const body = await polled.text();
      expect(body.startsWith('44')).toBe(true);
      expect(body).toContain('"code":"VALIDATION"');
    }
    // An unknown session id and garbage queries get engine.io's own errors, and the hub lives on.
    const unknown = await fetch(`${fx.url}/socket.io/?EIO=4&transport=polling&sid=nope`);
    expect(unknown.status).toBe(400);
    const bogus = await fetch(`${fx.url}/socket.io/?EIO=9&transport=carrier-pigeon`);
    expect(bogus.status).toBe(400);
    const health = await fetch(`${fx.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
    // Outside /socket.io/ express answers alone.
    const missing = await fetch(`${fx.url}/api/no-such-route`);
    expect(missing.status).toBe(404);
  });

  it('a client on the polling transport only joins, acts and follows changes', async () => {
    const chair = await connect(fx.url, fx.links.chair!.token, undefined, ['polling']);
    const hue = await connect(fx.url, fx.links.hue!.token, undefined, ['polling']);
    open.push(chair, hue);
    expect(chair.io.engine.transport.name).toBe('polling');
    expect(hue.io.engine.transport.name).toBe('polling');
    await must(chair, 'meeting:join', {});
    const joined = await must(hue, 'meeting:join', {});
    expect(joined.snapshot.meeting.status).toBe('scheduled');
    const seen: string[] = [];
    hue.on('meeting:changed', (batch) => {
      for (const c of batch.changes) if (c.type === 'meeting') seen.push(c.meeting.status);
    });
    await must(chair, 'meeting:openTechCheck', {});
    await eventually(() => seen.includes('techCheck'), 'the tech check seen over polling');
    // Still on polling after the exchange (no silent upgrade).
    expect(hue.io.engine.transport.name).toBe('polling');
  });
});
