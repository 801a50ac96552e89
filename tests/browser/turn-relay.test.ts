/**
 * A bridge point whose network lets nothing out but TCP to port 443 (issue 16.6), in real pages
 * with Debian's coturn started by the hub (TURN=embedded). The site's Chromium runs in its own
 * network namespace (tests/support/siteNetwork.ts); from there only two things answer, both on
 * TCP 443: the hub's HTTP/socket.io at 10.77.0.1 and coturn's TLS listener at 10.77.0.3. No UDP
 * port is open to it at all, and mediasoup listens on 127.0.0.1 of the hub's namespace, which the
 * site cannot reach. The site's link is opened with `?relay=1` (the client's force-relay option);
 * the hub generates coturn's self-signed certificate, which the site's Chromium is told to accept
 * by its key (an administrator would install a real certificate instead).
 *
 * Asserted: the site decodes the program and the chair decodes the site's camera; every selected
 * candidate pair of the site's page is a relay reached over TLS; the hub's ICE side of each of the
 * site's transports sees only coturn's relay address (127.0.0.1, a port of the relay range),
 * never the site's own address. Times are printed, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SiteId } from '@giaoban/shared';
import type { types as ms } from 'mediasoup';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../server/src/main.js';
import { chromiumArgs, launchChromium } from '../support/browser.js';
import { HOST_SITE, startTestHub } from '../support/inProcessHub.js';
import { prepareMeeting } from '../support/redis.js';
import { createSiteNetwork, HUB_SIDE_IP, SITE_SIDE_IP, type SiteNetwork } from '../support/siteNetwork.js';
import {
  type ClientPage,
  clientState,
  goLive,
  grantFloor,
  openPage,
  untilDecoding,
  untilState,
} from './client-pages.js';

const HUE = 'hue' as SiteId;
/** coturn's address on the hub's side of the site's line (a second address of the same veth). */
const TURN_IP = '10.77.0.3';
const RELAY_MIN_PORT = 50000;
const RELAY_MAX_PORT = 50999;

let net: SiteNetwork;
let hub: Hub;
let dataDir: string;
let hubBrowser: Browser;
let siteBrowser: Browser;
let chair: ClientPage;
let hue: Page;
let huePageOpenedAt = 0;
/** Every WebRtcTransport the hub creates (mediasoup's observer), to read its ICE side. */
const transports: ms.WebRtcTransport[] = [];

/**
 * The site page's peer connections, captured as the page creates them (mediasoup-client makes one
 * per transport). Plain script text: it runs in the page as written, untouched by the test's bundler.
 */
const CAPTURE_PEER_CONNECTIONS = `
  (() => {
    const Native = window.RTCPeerConnection;
    const all = [];
    window.__pcs = all;
    window.RTCPeerConnection = class extends Native {
      constructor(config) { super(config); all.push(this); }
    };
  })();
`;

/** What each of the page's live peer connections uses: its ICE policy, the selected local candidate, all its local candidates. */
interface PeerConnectionPath {
  policy: string;
  selected: { candidateType: string; relayProtocol?: string; protocol: string; url?: string } | null;
  localTypes: string[];
}
const SELECTED_CANDIDATES = `
  Promise.all(window.__pcs.filter((pc) => pc.connectionState !== 'closed').map(async (pc) => {
    const byId = new Map();
    for (const s of (await pc.getStats()).values()) byId.set(s.id, s);
    const transport = [...byId.values()].find((s) => s.type === 'transport');
    const pair = transport ? byId.get(transport.selectedCandidatePairId) : undefined;
    const local = pair ? byId.get(pair.localCandidateId) : undefined;
    return {
      policy: pc.getConfiguration().iceTransportPolicy,
      selected: local ? { candidateType: local.candidateType, relayProtocol: local.relayProtocol, protocol: local.protocol, url: local.url } : null,
      localTypes: [...byId.values()].filter((s) => s.type === 'local-candidate').map((s) => s.candidateType),
    };
  }))
`;

beforeAll(async () => {
  net = await createSiteNetwork();
  execFileSync('ip', ['addr', 'add', `${TURN_IP}/24`, 'dev', 'gbhub0']);
  dataDir = mkdtempSync(path.join(tmpdir(), 'giaoban-turn-it-'));
  hub = await startTestHub({
    GIAOBAN_DATA_DIR: dataDir,
    // Signalling on TCP 443 of the line's hub side; media on loopback only (out of the site's reach).
    HOST: HUB_SIDE_IP,
    PORT: '443',
    MEDIA_LISTEN_IP: '127.0.0.1',
    TURN: 'embedded',
    TURN_HOST: TURN_IP,
    TURN_LISTEN_IPS: TURN_IP,
    // coturn's relay sockets talk to mediasoup on loopback (a test-only permission).
    TURN_RELAY_IP: '127.0.0.1',
    TURN_ALLOW_LOOPBACK_PEERS: '1',
    TURN_PORT: '0',
    TURN_TLS_PORT: '443',
    TURN_MIN_PORT: String(RELAY_MIN_PORT),
    TURN_MAX_PORT: String(RELAY_MAX_PORT),
  });
  for (const worker of hub.parts.pool.workers)
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newtransport', (t) => {
        if (t.constructor.name === 'WebRtcTransport') transports.push(t as ms.WebRtcTransport);
      }),
    );
  const origin = `http://${HUB_SIDE_IP}:443`;
  const { tokens } = await prepareMeeting(origin, [HUE], {
    chair: { role: 'chair', displayName: 'Đồng chí Chủ trì' },
    hue: { role: 'site', siteId: HUE },
  });

  // The certificate the hub generated for coturn, accepted by its key in the site's browser only.
  const cert = path.join(dataDir, 'turn', 'turn-selfsigned.crt');
  const spki = execFileSync(
    'sh',
    [
      '-c',
      `openssl x509 -in "${cert}" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
    ],
    { encoding: 'utf8' },
  ).trim();
  hubBrowser = await launchChromium({
    extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`],
  });
  siteBrowser = await chromium.launch({
    executablePath: net.chromium,
    headless: true,
    args: [
      ...chromiumArgs,
      `--unsafely-treat-insecure-origin-as-secure=${origin}`,
      `--ignore-certificate-errors-spki-list=${spki}`,
    ],
  });
  chair = await openPage(hubBrowser, `${origin}/join#${tokens.chair}`);
  const context = await siteBrowser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'vi-VN' });
  context.setDefaultTimeout(60_000);
  await context.addInitScript({ content: CAPTURE_PEER_CONNECTIONS });
  hue = await context.newPage();
  huePageOpenedAt = Date.now();
  await hue.goto(`${origin}/join?relay=1#${tokens.hue}`);
  for (const page of [chair.page, hue])
    await untilState(page, (s) => s.phase === 'joined', 'both pages joined');
  await goLive(chair.page);
  await untilState(hue, (s) => s.media.producerIds.camera !== null, "Huế's camera published", 90_000);
}, 180_000);

afterAll(async () => {
  await siteBrowser?.close();
  await hubBrowser?.close();
  await hub?.stop();
  net?.close();
});

describe('a site that reaches the hub over TCP 443 only', () => {
  it('decodes the program through coturn over TLS, and the chair decodes its camera', async () => {
    await untilDecoding(hue, HOST_SITE, null, "Huế decoding the chair's program through TURN");
    const programAt = Date.now();
    await grantFloor(chair.page, hue, 'Tình hình triển khai chính quyền hai cấp');
    await untilDecoding(chair.page, HUE, null, "the chair decoding Huế's camera relayed by coturn");
    const cameraAt = Date.now();

    const pcs = (await hue.evaluate(SELECTED_CANDIDATES)) as PeerConnectionPath[];
    // A receive and a send transport, both relay-only, both on a TLS relay to coturn's 443.
    expect(pcs.length).toBeGreaterThanOrEqual(2);
    for (const pc of pcs) {
      expect(pc.policy).toBe('relay');
      expect(pc.selected).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
      expect(pc.selected?.url).toBe(`turns:${TURN_IP}:443?transport=tcp`);
      expect(pc.localTypes.every((t) => t === 'relay')).toBe(true);
    }
    console.log(
      `turn-relay | Huế (TCP 443 only, relay over TLS): program decoded ${programAt - huePageOpenedAt} ms after ` +
        `the page opened; the chair decoded Huế's camera ${cameraAt - programAt} ms after the floor was given`,
    );
  });

  it("the hub's ICE side of Huế's transports sees coturn's relay address, never Huế's own", async () => {
    const self = (await clientState(hue)).self as { participantId?: string } | null;
    const participantId = self?.participantId;
    expect(participantId).toBeTruthy();
    const hues = transports.filter((t) => !t.closed && t.appData.participantId === participantId);
    expect(hues.length).toBeGreaterThanOrEqual(2);
    for (const t of hues) {
      const [stats] = await t.getStats();
      const tuple = stats?.iceSelectedTuple;
      expect(tuple).toBeDefined();
      expect(tuple?.remoteIp).toBe('127.0.0.1');
      expect(tuple?.remotePort).toBeGreaterThanOrEqual(RELAY_MIN_PORT);
      expect(tuple?.remotePort).toBeLessThanOrEqual(RELAY_MAX_PORT);
      expect(tuple?.remoteIp).not.toBe(SITE_SIDE_IP);
    }
  });
});
