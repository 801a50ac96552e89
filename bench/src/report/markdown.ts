/** report.md and its figures, written next to result.json. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResult } from '../result.js';
import { cpuLossChart, type LatencyRow, type Line, latencyChart } from './svg.js';
import {
  baselineRatios,
  fmt,
  mediaHeader,
  mediaRow,
  publisherDelays,
  publisherHeader,
  publisherRow,
  triple,
} from './table.js';

/** The bare-harness figure of shared/reference/browser-webrtc-tests.md: join → first decoded frame p50. */
export const REFERENCE_FIRST_FRAME_MS = 180;

function mdTable(header: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number) => (typeof c === 'number' ? fmt(c) : c);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Writes cpu-loss.svg and latency.svg; returns the names of those written. */
function figures(r: BenchResult, dir: string): string[] {
  const written: string[] = [];
  const xs = [...new Set([...r.capacity, ...r.baseline].map((c) => c.sites))].sort((a, b) => a - b);
  if (xs.length) {
    const series = (list: BenchResult['capacity'], f: (c: BenchResult['capacity'][number]) => number) =>
      list.map((c) => ({ x: c.sites, y: f(c) })).sort((a, b) => a.x - b.x);
    const cpu: Line[] = [
      { label: 'hub: mediasoup worker', points: series(r.capacity, (c) => c.window.cpu.workerPct) },
      { label: 'hub: worker + Node process', points: series(r.capacity, (c) => c.window.cpu.serverPct) },
      {
        label: 'bare mediasoup: worker',
        points: series(r.baseline, (c) => c.window.cpu.workerPct),
        dashed: true,
      },
      {
        label: 'bare mediasoup: worker + Node',
        points: series(r.baseline, (c) => c.window.cpu.serverPct),
        dashed: true,
      },
      { label: 'simulated sites (bots)', points: series(r.capacity, (c) => c.window.cpu.botsPct) },
    ].filter((l) => l.points.length);
    const loss: Line[] = [
      { label: 'hub: to the sites', points: series(r.capacity, (c) => c.window.loss.downstreamPct) },
      { label: 'hub: from the sites', points: series(r.capacity, (c) => c.window.loss.upstreamPct) },
      {
        label: 'bare: to the sites',
        points: series(r.baseline, (c) => c.window.loss.downstreamPct),
        dashed: true,
      },
      {
        label: 'bare: from the sites',
        points: series(r.baseline, (c) => c.window.loss.upstreamPct),
        dashed: true,
      },
    ].filter((l) => l.points.length);
    writeFileSync(path.join(dir, 'cpu-loss.svg'), cpuLossChart(xs, cpu, loss));
    written.push('cpu-loss.svg');
  }
  const rows: LatencyRow[] = [];
  if (r.floor) {
    rows.push({ label: `floor → key frame at all ${r.floor.sites} sites`, d: r.floor.videoAllSites });
    rows.push({ label: 'floor → first audio at all sites', d: r.floor.audioAllSites });
  }
  for (const j of r.join) {
    rows.push({ label: `${j.server}: burst of ${j.burst} → first packet`, d: j.burstJoin.firstPacket });
    if (j.browser)
      rows.push({
        label: `${j.server}: Chromium → first frame`,
        d: j.browser.firstFrame,
        reference: REFERENCE_FIRST_FRAME_MS,
      });
  }
  for (const s of r.fanout?.series ?? []) {
    rows.push({
      label: `fan-out ${s.kind === 'queue' ? 'queue change' : 'page turn'} → all clients`,
      d: s.allClients,
    });
  }
  if (rows.some((x) => x.d.n > 0)) {
    writeFileSync(
      path.join(dir, 'latency.svg'),
      latencyChart(
        rows,
        'Latency distributions (dashed: the 180 ms bare-harness reference for a first decoded frame)',
      ),
    );
    written.push('latency.svg');
  }
  return written;
}

/** Writes report.md (and its figures) into `dir`. */
export function writeReport(r: BenchResult, dir: string): void {
  const figs = figures(r, dir);
  const m = r.machine;
  const out: string[] = [
    `# Giao Ban benchmark — ${r.startedAt}`,
    '',
    `Machine: ${m.cores} × ${m.cpuModel}, ${m.memoryGb} GB, Linux ${m.kernel}, Node ${m.node}. ` +
      `Load average at start ${r.loadAtStart.join(' / ')}, at end ${r.loadAtEnd.join(' / ')}. ` +
      `Commit ${r.git.commit}${r.git.uncommittedFiles ? ` (+${r.git.uncommittedFiles} uncommitted files in the tree)` : ''}. ` +
      `Run took ${Math.round(r.seconds)} s${r.options.quick ? ' (quick mode)' : ''}.`,
    '',
    `Simulated sites: ${r.bots.technique}. Each publishes ` +
      r.bots.layers
        .map((l) => `${l.width}×${l.height} ${fmt(l.kbps)} kbit/s (${fmt(l.pps)} pkt/s)`)
        .join(', ') +
      ` of VP8 (key frame every ${r.bots.clip.gopSeconds} s, ${r.bots.clip.fps} fps) and Opus at ${fmt(r.bots.audio.kbps)} kbit/s (${fmt(r.bots.audio.pps)} pkt/s).`,
    '',
  ];
  const cap = [...r.capacity, ...r.baseline].sort(
    (a, b) => a.sites - b.sites || a.server.localeCompare(b.server),
  );
  if (cap.length) {
    out.push(
      '## Capacity',
      '',
      `One chair, N sites; every site receives the program (chair camera at the top layer + microphone), the operator's grid every site at the lowest layer. ` +
        `Window of ${r.options.duration} s after a ${r.options.warmup} s warm-up. CPU in % of one core (the machine has ${m.cores}); ` +
        '"helpers" are the server\'s other child processes (the hub\'s private redis-server); "server" = worker + Node + helpers; ' +
        '"kernel irq" is interrupt time charged to no process (mostly the kernel carrying these packets between loopback sockets); ' +
        '"others" is CPU used on the machine by anything else (other people\'s work; the busiest such processes are in result.json).',
      '',
      mdTable(
        [
          'sites',
          'server',
          'worker %',
          'Node %',
          'helpers %',
          'server %',
          'bots %',
          'kernel irq %',
          'others %',
          'in pkt/s',
          'out pkt/s',
          'in Mbit/s',
          'out Mbit/s',
          'loss in %',
          'loss out %',
          'worker µs / fwd pkt',
          'worker µs / pkt',
          'Node peak MB',
          'worker peak MB',
          'consumers (flowing)',
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
          c.window.packets.inMbps,
          c.window.packets.outMbps,
          c.window.loss.upstreamPct,
          c.window.loss.downstreamPct,
          c.window.usPerForwardedPacket,
          c.window.usPerPacket,
          c.window.memory.nodePeakMb,
          c.window.memory.workerPeakMb,
          `${c.window.media.consumers} (${c.window.media.consumersFlowing})`,
        ]),
      ),
      '',
      mdTable(
        [
          'sites',
          'server',
          'joined',
          'fill time s',
          'transports connected ms',
          'first packet ms',
          'program key frame ms',
          'sender stalls',
          'PLIs sent / key-frame requests received',
          'packets resent on NACK',
          'kernel UDP drops',
        ],
        cap.map((c) => [
          c.sites,
          c.server,
          `${c.joined}/${c.sites}`,
          c.fill.seconds,
          triple(c.fill.join.transportsConnected),
          triple(c.fill.join.firstPacket),
          triple(c.fill.join.firstKeyFrame),
          c.window.senderStalls,
          `${c.window.pliSent ?? 0} / ${c.window.keyFrameRequests}`,
          c.window.retransmitted ?? 0,
          c.window.udp?.rcvbufErrors ?? Number.NaN,
        ]),
      ),
      '',
      `(Filling the meeting ${cap[0]?.fill.concurrency ?? 8} sites at a time; ms are p50 / p95 / max.)`,
      '',
      "Media objects and dynacast: workers holding a router, CPU of each worker, the pipes joining a meeting's " +
        'routers on several workers (pipeToRouter) and the packets they carried, what the simulated sites sent ' +
        '(they send only the layers the hub asks for and no audio while their microphone is not forwarded), ' +
        'and the `media:newConsumers` batches a site had received by its first program key frame.',
      '',
      mdTable(mediaHeader, cap.map(mediaRow)),
      '',
    );
  }
  const ratios = baselineRatios(r);
  if (ratios.length) {
    out.push(
      '## Baseline: hub / bare mediasoup',
      '',
      'The same simulated sites and media through a bare mediasoup harness (one router, WebRtcTransports, only the consumers that carry media; minimal socket.io signalling, no hub code) in the same run.',
      '',
      mdTable(
        ['sites', 'hub worker + Node %', 'bare worker + Node %', 'hub / bare', 'worker only: hub / bare'],
        ratios.map((x) => [x.sites, x.hub, x.bare, `${fmt(x.ratio)}×`, `${fmt(x.workerRatio)}×`]),
      ),
      '',
    );
  }
  if (figs.includes('cpu-loss.svg')) out.push('![CPU and loss against sites](cpu-loss.svg)', '');
  if (r.floor) {
    const f = r.floor;
    out.push(
      `## Floor change at ${f.sites} sites`,
      '',
      `The operator sends \`floor:grant\` to one site after another (${f.changes} changes, ${f.completed} complete within ${f.timeoutMs} ms); ` +
        "time until the new speaker's first complete key frame (and first audio packet) reaches every other site and the chair. ms, p50 / p95 / max.",
      '',
      mdTable(
        ['what', 'every site has it', 'per site'],
        [
          ['first key frame of the new speaker', triple(f.videoAllSites), triple(f.videoPerSite)],
          ['first audio packet of the new speaker', triple(f.audioAllSites), triple(f.audioPerSite)],
          ['`floor:grant` acknowledged to the moderator', triple(f.ack), ''],
          ...(f.grantToMicOpen && f.micOpenToSent
            ? [
                ['`floor:grant` → the speaker told its microphone is open', '', triple(f.grantToMicOpen)],
                ['microphone told open → its first audio packet sent (bot)', '', triple(f.micOpenToSent)],
              ]
            : []),
        ],
      ),
      '',
    );
  }
  if (r.join.length) {
    out.push(
      '## Join',
      '',
      'A burst of simulated sites joins a running meeting at once; then real Chromium pages join one at a time as receiving sites ' +
        `(join → first decoded program frame, requestVideoFrameCallback). Reference: a bare harness measured p50 ≈ ${REFERENCE_FIRST_FRAME_MS} ms here ` +
        '(shared/reference/browser-webrtc-tests.md). ms from connecting, p50 / p95 / max.',
      '',
      mdTable(
        [
          'server',
          'who',
          'socket connected',
          'joined',
          'transports connected',
          'first media packet',
          'program key frame / first decoded frame',
        ],
        r.join.flatMap((j) => [
          [
            j.server,
            `burst of ${j.burst} bots (after ${j.baseSites})`,
            triple(j.burstJoin.socketConnected),
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
                  '',
                  triple(j.browser.joined),
                  triple(j.browser.transportConnected),
                  '',
                  triple(j.browser.firstFrame),
                ],
              ]
            : []),
        ]),
      ),
      '',
    );
    const pages = r.join.flatMap((j) => (j.browser?.pages ?? []).map((p) => ({ server: j.server, ...p })));
    if (pages.length) {
      out.push(
        mdTable(
          [
            'server',
            'socket',
            'joined',
            'device loaded',
            'transport connected',
            'first frame',
            'frame width',
            'consumers built',
          ],
          pages.map((p) => [
            p.server,
            p.socketConnected,
            p.joined,
            p.deviceLoaded,
            p.transportConnected,
            p.firstFrame,
            p.frameWidth,
            p.consumers,
          ]),
        ),
        '',
      );
    }
  }
  if (r.publisher) {
    const pb = r.publisher;
    out.push(
      '## Publisher on and off stage',
      '',
      "One real Chromium page publishes its fake camera (1280×720 capture, the client's three simulcast encodings) " +
        'and microphone as a site, and follows the hub: `media:publishLayers` → `setMaxSpatialLayer`, ' +
        "`media:micState` → pause/resume (zeroRtpOnPause). Off stage only the operator's grid shows it (lowest layer); " +
        'a floor grant makes it the program. CPU in % of one core over each window; the page does not receive.',
      '',
      mdTable(publisherHeader, pb.windows.map(publisherRow)),
      '',
      mdTable(
        [`over ${pb.grants} grants, ms`, 'p50 / p95 / max'],
        publisherDelays(pb).map(([k, d]) => [k, triple(d)]),
      ),
      '',
    );
  }
  if (r.fanout) {
    const f = r.fanout;
    out.push(
      `## State fan-out to ${f.connected} socket.io clients`,
      '',
      `${f.connected} observers (one join link each; joining all took ${fmt(f.joinSeconds)} s, 25 at a time). ` +
        'Time from the command until each client receives the `meeting:changed` batch carrying it. ms, p50 / p95 / max.',
      '',
      mdTable(
        ['change', 'changes', 'every client has it', 'per client', 'missing'],
        f.series.map((s) => [
          s.kind === 'queue' ? 'queue request / withdraw' : 'page turn (`slides:page`)',
          s.changes,
          triple(s.allClients),
          triple(s.perClient),
          s.missing,
        ]),
      ),
      '',
      ...f.notes.map((n) => `- ${n}`),
      '',
    );
  }
  if (figs.includes('latency.svg')) out.push('![Latency distributions](latency.svg)', '');
  if (r.errors.length) out.push('## Errors', '', ...r.errors.map((e) => `- ${e}`), '');
  out.push(
    'Method, fidelity and caveats: docs/BENCHMARKS.md. Raw figures: result.json; server logs: logs/.',
    '',
  );
  writeFileSync(path.join(dir, 'report.md'), out.join('\n'));
}
