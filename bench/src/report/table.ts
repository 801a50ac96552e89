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
            triple(j.burstJoin.firstKeyFrame),
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
  if (r.errors.length) parts.push(`Errors:\n${r.errors.map((e) => `  - ${e}`).join('\n')}`);
  return parts.join('\n\n');
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
