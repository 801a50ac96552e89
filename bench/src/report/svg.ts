/**
 * The report's two figures as plain SVG, drawn here without a charting library: CPU and loss
 * against the number of sites, and latency distributions (min–max line, p50–p95 box).
 */
import type { Distribution } from '../util/stats.js';

const FONT = 'font-family="sans-serif" font-size="12"';
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" upper bound for an axis. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** One line of a line chart. */
export interface Line {
  label: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

/** A line chart panel at (ox, oy) of size w×h. */
function panel(
  ox: number,
  oy: number,
  w: number,
  h: number,
  title: string,
  yLabel: string,
  xs: number[],
  lines: Line[],
): string {
  const left = 56;
  const bottom = 36 + 16 * lines.length;
  const pw = w - left - 12;
  const ph = h - bottom - 28;
  const yMax = niceMax(
    Math.max(0.01, ...lines.flatMap((l) => l.points.map((p) => p.y)).filter(Number.isFinite)),
  );
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const sx = (x: number) => ox + left + (xMax === xMin ? pw / 2 : ((x - xMin) / (xMax - xMin)) * pw);
  const sy = (y: number) => oy + 28 + ph - (y / yMax) * ph;
  const out: string[] = [];
  out.push(
    `<text x="${ox + w / 2}" y="${oy + 16}" text-anchor="middle" ${FONT} font-weight="bold">${esc(title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    out.push(`<line x1="${ox + left}" x2="${ox + left + pw}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`);
    out.push(
      `<text x="${ox + left - 6}" y="${sy(y) + 4}" text-anchor="end" ${FONT}>${Number(y.toPrecision(3))}</text>`,
    );
  }
  for (const x of xs) {
    out.push(`<text x="${sx(x)}" y="${oy + 28 + ph + 16}" text-anchor="middle" ${FONT}>${x}</text>`);
  }
  out.push(
    `<text x="${ox + left + pw / 2}" y="${oy + 28 + ph + 30}" text-anchor="middle" ${FONT}>sites</text>`,
  );
  out.push(
    `<text transform="translate(${ox + 14},${oy + 28 + ph / 2}) rotate(-90)" text-anchor="middle" ${FONT}>${esc(yLabel)}</text>`,
  );
  lines.forEach((l, i) => {
    const pts = l.points.filter((p) => Number.isFinite(p.y));
    const color = COLORS[i % COLORS.length];
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,4"' : ''} points="${pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}"/>`,
      );
    }
    for (const p of pts) out.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="3" fill="${color}"/>`);
    const ly = oy + 28 + ph + 40 + i * 16;
    out.push(`<rect x="${ox + left + 8}" y="${ly}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${ox + left + 22}" y="${ly + 9}" ${FONT}>${esc(l.label)}</text>`);
  });
  return out.join('\n');
}

/** CPU (% of one core) and loss (%) against sites, side by side. */
export function cpuLossChart(xs: number[], cpu: Line[], loss: Line[]): string {
  const w = 460;
  const h = 300 + 16 * Math.max(cpu.length, loss.length);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${2 * w}" height="${h}" viewBox="0 0 ${2 * w} ${h}">`,
    '<title>CPU and packet loss against the number of sites</title>',
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, 0, w, h, 'CPU against sites', '% of one core', xs, cpu),
    panel(w, 0, w, h, 'Loss against sites', 'packets lost (%)', xs, loss),
    '</svg>',
  ].join('\n');
}

/** One distribution row of the latency chart. */
export interface LatencyRow {
  label: string;
  d: Distribution;
  /** A reference value to mark (e.g. the bare-harness 180 ms of the reference notes). */
  reference?: number;
}

/**
 * Horizontal distributions on a logarithmic axis (fan-out takes tens of ms, a join under load
 * seconds): a line from min to max, a box from p50 to p95, a tick at p50.
 */
export function latencyChart(rows: LatencyRow[], title: string): string {
  const rowsOk = rows.filter((r) => r.d.n > 0);
  const left = 270;
  const w = 920;
  const pw = w - left - 30;
  const rowH = 28;
  const top = 40;
  const h = top + rowsOk.length * rowH + 40;
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...rowsOk.map((r) => r.d.min)))));
  const hi =
    10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...rowsOk.map((r) => Math.max(r.d.max, r.reference ?? 0)))));
  const sx = (v: number) =>
    left + ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<title>${esc(title)}</title>`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${w / 2}" y="18" text-anchor="middle" ${FONT} font-weight="bold">${esc(title)}</text>`,
  ];
  for (let decade = lo; decade <= hi; decade *= 10) {
    for (const m of decade < hi ? [1, 3] : [1]) {
      const v = decade * m;
      out.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${top - 8}" y2="${h - 32}" stroke="#ddd"/>`);
      out.push(`<text x="${sx(v)}" y="${h - 18}" text-anchor="middle" ${FONT}>${v}</text>`);
    }
  }
  out.push(
    `<text x="${left + pw / 2}" y="${h - 2}" text-anchor="middle" ${FONT}>milliseconds, log scale (line: min–max, box: p50–p95, black tick: p50)</text>`,
  );
  rowsOk.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const color = COLORS[i % COLORS.length];
    out.push(
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end" ${FONT}>${esc(r.label)} (n=${r.d.n})</text>`,
    );
    out.push(
      `<line x1="${sx(r.d.min)}" x2="${sx(r.d.max)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(
      `<rect x="${sx(r.d.p50)}" y="${y - 8}" width="${Math.max(2, sx(r.d.p95) - sx(r.d.p50))}" height="16" fill="${color}" fill-opacity="0.35" stroke="${color}"/>`,
    );
    out.push(
      `<line x1="${sx(r.d.p50)}" x2="${sx(r.d.p50)}" y1="${y - 10}" y2="${y + 10}" stroke="black" stroke-width="2"/>`,
    );
    if (r.reference !== undefined) {
      out.push(
        `<line x1="${sx(r.reference)}" x2="${sx(r.reference)}" y1="${y - 12}" y2="${y + 12}" stroke="black" stroke-dasharray="3,3"/>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('\n');
}
