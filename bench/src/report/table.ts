/** The plain-text tables `npm run bench` prints at the end (the same figures as report.md). */
import type { BenchResult } from '../result.js';
import type { Distribution } from '../util/stats.js';
import { round } from '../util/stats.js';

/** Formats rows as an aligned text table. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, i) => String(c).padStart(widths[i] as number)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A number for a report: NaN as "–", otherwise rounded. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return String(round(v));
}

/** "p50 / p95 / max" of a distribution. */
export function triple(d: Distribution | undefined): string {
  if (!d || d.n === 0) return '–';
  return `${fmt(d.p50)} / ${fmt(d.p95)} / ${fmt(d.max)}`;
}

/** Every table of a result, as text. */
export function summaryTables(r: BenchResult): string {
  const parts: string[] = [];
  const cap = [...r.capacity, ...r.baseline].sort(
    (a, b) => a.sites - b.sites || a.server.localeCompare(b.server),
  );
  if (cap.length) {
    parts.push(
      `Capacity (CPU in % of one core; the machine has ${r.machine.cores} cores)`,
      textTable(
        [
          'sites',
          'server',
          'worker%',
          'node%',
          'helpers%',
          'server%',
          'bots%',
          'kernel irq%',
          'others%',
          'in pkt/s',
          'out pkt/s',
          'loss up%',
          'loss down%',
          'µs/fwd pkt',
          'node MB',
          'worker MB',
        ],
        cap.map((c) => [
          c.sites,
          c.server,
          c.window.cpu.workerPct,
          c.window.cpu.nodePct,
          c.window.cpu.helpersPct ?? 0,
          c.window.cpu.serverPct,
          c.window.cpu.botsPct,
          c.window.cpu.kernelIrqPct ?? 0,
          c.window.cpu.othersPct,
          c.window.packets.inPps,
          c.window.packets.outPps,
          c.window.loss.upstreamPct,
          c.window.loss.downstreamPct,
          c.window.usPerForwardedPacket,
          c.window.memory.nodePeakMb,
          c.window.memory.workerPeakMb,
        ]),
      ),
    );
  }
  if (cap.length) {
    parts.push(
      "Media: workers, pipes between a meeting's routers, what the bots sent (dynacast), batches per joining bot",
      textTable(mediaHeader, cap.map(mediaRow)),
    );
  }
  const ratios = baselineRatios(r);
  if (ratios.length) {
    parts.push(
      'Baseline: hub cost / bare mediasoup cost for the same media',
      textTable(
        ['sites', 'hub server%', 'bare server%', 'ratio', 'worker ratio'],
        ratios.map((x) => [x.sites, x.hub, x.bare, x.ratio, x.workerRatio]),
      ),
    );
  }
  if (r.floor) {
    const f = r.floor;
    parts.push(
      `Floor change at ${f.sites} sites (${f.completed}/${f.changes} complete), ms p50 / p95 / max`,
      textTable(
        ['what', 'every site has it', 'per site'],
        [
          ['first key frame of the new speaker', triple(f.videoAllSites), triple(f.videoPerSite)],
          ['first audio packet of the new speaker', triple(f.audioAllSites), triple(f.audioPerSite)],
          ['floor:grant acknowledged', triple(f.ack), ''],
          ...(f.grantToMicOpen && f.micOpenToSent
            ? [
                ['grant → speaker told its mic is open', '', triple(f.grantToMicOpen)],
                ['mic told open → first audio sent (bot)', '', triple(f.micOpenToSent)],
              ]
            : []),
        ],
      ),
    );
  }
  if (r.join.length) {
    parts.push(
      'Join, ms from connecting, p50 / p95 / max',
      textTable(
        [
          'server',
          'who',
          'joined',
          'transports connected',
          'first media packet',
          'first key frame / decoded frame',
        ],
        r.join.flatMap((j) => [
          [
            j.server,
            `burst of ${j.burst} bots`,
            triple(j.burstJoin.joined),
            triple(j.burstJoin.transportsConnected),
            triple(j.burstJoin.firstPacket),
            `${triple(j.burstJoin.firstKeyFrame)} (batches ${triple(j.burstJoin.batches)})`,
          ],
          ...(j.browser
            ? [
                [
                  j.server,
                  `${j.browser.pages.length} Chromium pages`,
                  triple(j.browser.joined),
                  triple(j.browser.transportConnected),
                  '',
                  triple(j.browser.firstFrame),
                ],
              ]
            : []),
        ]),
      ),
    );
  }
  if (r.fanout) {
    parts.push(
      `State fan-out to ${r.fanout.connected} socket.io clients, ms p50 / p95 / max`,
      textTable(
        ['change', 'n', 'every client has it', 'per client', 'missing'],
        r.fanout.series.map((s) => [
          s.kind === 'queue' ? 'queue request/withdraw' : 'page turn',
          s.changes,
          triple(s.allClients),
          triple(s.perClient),
          s.missing,
        ]),
      ),
    );
  }
  if (r.publisher) {
    const pb = r.publisher;
    parts.push(
      'Publisher: one Chromium page publishing its fake camera (3 simulcast encodings) and microphone',
      textTable(publisherHeader, pb.windows.map(publisherRow)),
      textTable(
        [`delay over ${pb.grants} grants, ms`, 'p50 / p95 / max'],
        publisherDelays(pb).map(([k, d]) => [k, triple(d)]),
      ),
    );
  }
  if (r.errors.length) parts.push(`Errors:\n${r.errors.map((e) => `  - ${e}`).join('\n')}`);
  return parts.join('\n\n');
}

type Cap = BenchResult['capacity'][number];
type Publisher = NonNullable<BenchResult['publisher']>;

export const publisherHeader = [
  'state',
  'layers · mic',
  'Chromium %',
  'by process',
  'encoder fps per layer',
  'encode ms/s',
  'sent kbit/s',
  'hub ingest camera pkt/s (per layer)',
  'mic pkt/s',
  'others %',
  'load avg',
];

export function publisherRow(w: Publisher['windows'][number]): (string | number)[] {
  return [
    w.state,
    `${w.spatialLayers} · ${w.micOpen ? 'open' : 'closed'}`,
    w.chromiumPct,
    Object.entries(w.chromiumByType)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', '),
    w.encoder.map((e) => fmt(e.fps)).join(' / '),
    fmt(w.encoder.reduce((a, e) => a + e.encodeMsPerS, 0)),
    fmt(w.encoder.reduce((a, e) => a + e.kbps, 0)),
    `${fmt(w.ingest.cameraPps)} (${w.ingest.cameraByEncodingPps.map(fmt).join(' / ')})`,
    w.ingest.micPps,
    w.othersPct,
    w.loadAverage.map(fmt).join(' '),
  ];
}

export function publisherDelays(p: Publisher): [string, Distribution][] {
  return [
    ['floor:grant → page told its mic is open (media:micState)', p.grantToMicState],
    ['mic told open → hub receives its first audio packet', p.micStateToHubAudio],
    ['floor:grant → hub receives the first audio packet', p.grantToHubAudio],
    ['floor:grant → page sending all 3 layers (setMaxSpatialLayer done)', p.grantToAllLayers],
  ];
}

/** Columns of the media table (text and markdown). */
export const mediaHeader = [
  'sites',
  'server',
  'workers used (routers)',
  'worker % each',
  'pipes (producers / consumers)',
  'pipe pkt/s',
  'bots sent video / audio pkt/s',
  'cameras at 1 / 2 / 3 layers',
  'mics sending',
  'consumers (flowing)',
  'batches per bot to key frame',
];

export function mediaRow(c: Cap): (string | number)[] {
  const m = c.window.media;
  const sent = c.window.sent;
  return [
    c.sites,
    c.server,
    `${m.workersWithRouters ?? '–'} (${m.routers ?? '–'})`,
    (c.window.cpu.perWorkerPct ?? []).map(fmt).join(' + ') || '–',
    `${m.pipeTransports ?? 0} (${m.pipeProducers ?? 0} / ${m.pipeConsumers ?? 0})`,
    c.window.packets.pipePps ?? 0,
    sent ? `${fmt(sent.videoPps)} / ${fmt(sent.audioPps)}` : '–',
    sent ? `${sent.layers[1]} / ${sent.layers[2]} / ${sent.layers[3]}` : '–',
    sent?.micsOn ?? '–',
    `${m.consumers} (${m.consumersFlowing})`,
    triple(c.fill.join.batches),
  ];
}

/** Hub cost over bare cost per site count where both ran. */
export function baselineRatios(
  r: BenchResult,
): { sites: number; hub: number; bare: number; ratio: number; workerRatio: number }[] {
  return r.capacity.flatMap((h) => {
    const b = r.baseline.find((x) => x.sites === h.sites);
    if (!b) return [];
    return [
      {
        sites: h.sites,
        hub: h.window.cpu.serverPct,
        bare: b.window.cpu.serverPct,
        ratio: h.window.cpu.serverPct / b.window.cpu.serverPct,
        workerRatio: h.window.cpu.workerPct / b.window.cpu.workerPct,
      },
    ];
  });
}
