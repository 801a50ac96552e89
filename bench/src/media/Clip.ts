/**
 * The pre-encoded clip every simulated site replays: a moving test pattern as VP8 in three
 * simulcast resolutions (key frames every `gopSeconds`) and a tone as Opus, encoded once with
 * Debian's ffmpeg and cached under bench-results/cache/<hash of the parameters>/. Replaying
 * costs the bots no encoding at all: a site only rewrites RTP headers.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { log } from '../util/log.js';
import { packetizeOpus, packetizeVp8Frame, type RtpTemplate } from './rtp.js';

const run = promisify(execFile);

/** One simulcast layer to encode. */
export interface LayerSpec {
  width: number;
  height: number;
  kbps: number;
}

/** What the clip is made of; the cache key is a hash of this. */
export interface ClipSpec {
  seconds: number;
  fps: number;
  gopSeconds: number;
  layers: LayerSpec[];
  audioKbps: number;
}

/** The camera of the real client (client/src/services/publisher.ts): 1/4, 1/2 and full 720p. */
export const DEFAULT_CLIP: ClipSpec = {
  seconds: 10,
  fps: 30,
  gopSeconds: 2,
  layers: [
    { width: 320, height: 180, kbps: 150 },
    { width: 640, height: 360, kbps: 500 },
    { width: 1280, height: 720, kbps: 1200 },
  ],
  audioKbps: 32,
};

/** One encoded video frame as ready-to-send RTP packets (headers filled in at send time). */
export interface VideoFrame {
  key: boolean;
  packets: RtpTemplate[];
  bytes: number;
}

/** One simulcast layer of the clip. */
export interface VideoLayer {
  spec: LayerSpec;
  frames: VideoFrame[];
  /** Indices of key frames, ascending. */
  keyFrames: number[];
}

/** The whole clip, shared read-only by every simulated site. */
export interface Clip {
  spec: ClipSpec;
  layers: VideoLayer[];
  /** Opus packets of 20 ms. */
  audio: RtpTemplate[];
  cacheDir: string;
}

/** Index of the first key frame at or after `from` (wrapping to the clip start). */
export function nextKeyFrame(layer: VideoLayer, from: number): number {
  for (const k of layer.keyFrames) if (k >= from) return k;
  return layer.keyFrames[0] ?? 0;
}

function cacheKey(spec: ClipSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
}

/** Encodes the clip with ffmpeg unless the cache has it; then loads and packetizes it. */
export async function loadClip(cacheRoot: string, spec: ClipSpec = DEFAULT_CLIP): Promise<Clip> {
  const dir = path.join(cacheRoot, `clip-${cacheKey(spec)}`);
  if (!existsSync(path.join(dir, 'spec.json'))) await encode(dir, spec);
  const layers = spec.layers.map((layerSpec, i) => {
    const frames = readIvf(readFileSync(path.join(dir, `layer${i}.ivf`))).map((data) => {
      const packets = packetizeVp8Frame(data);
      return { key: ((data[0] ?? 1) & 0x01) === 0, packets, bytes: data.length };
    });
    const keyFrames = frames.flatMap((f, index) => (f.key ? [index] : []));
    if (keyFrames.length === 0) throw new Error(`loadClip() | layer ${i} has no key frame`);
    return { spec: layerSpec, frames, keyFrames };
  });
  const audio = readOggPackets(readFileSync(path.join(dir, 'audio.ogg'))).map(packetizeOpus);
  return { spec, layers, audio, cacheDir: dir };
}

async function encode(dir: string, spec: ClipSpec): Promise<void> {
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const top = spec.layers[spec.layers.length - 1] as LayerSpec;
  const gop = Math.round(spec.fps * spec.gopSeconds);
  const split = spec.layers.map((_, i) => `[s${i}]`).join('');
  const scales = spec.layers.map((l, i) => `[s${i}]scale=${l.width}:${l.height}[l${i}]`).join(';');
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${top.width}x${top.height}:rate=${spec.fps}:duration=${spec.seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`,
    '-filter_complex',
    `[0:v]split=${spec.layers.length}${split};${scales}`,
  ];
  spec.layers.forEach((l, i) => {
    // Real-time CBR like a browser's encoder: no look-ahead, no alt-ref frames, fixed GOP.
    args.push(
      '-map',
      `[l${i}]`,
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      `${l.kbps}k`,
      '-minrate',
      `${l.kbps}k`,
      '-maxrate',
      `${l.kbps}k`,
      '-bufsize',
      `${l.kbps}k`,
      '-g',
      String(gop),
      '-keyint_min',
      String(gop),
      '-auto-alt-ref',
      '0',
      '-lag-in-frames',
      '0',
      '-error-resilient',
      '1',
      '-f',
      'ivf',
      path.join(tmp, `layer${i}.ivf`),
    );
  });
  args.push(
    '-map',
    '1:a',
    '-c:a',
    'libopus',
    '-b:a',
    `${spec.audioKbps}k`,
    '-frame_duration',
    '20',
    '-application',
    'voip',
    '-ac',
    '1',
    '-f',
    'ogg',
    path.join(tmp, 'audio.ogg'),
  );
  log('loadClip', 'encoding the clip once with ffmpeg', { dir });
  await run('ffmpeg', args, { maxBuffer: 16 * 1024 * 1024 });
  writeFileSync(path.join(tmp, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  log('loadClip', 'clip encoded', { seconds: (Date.now() - started) / 1000 });
}

/** Frames of an IVF file (32-byte file header, then 12-byte frame headers). */
export function readIvf(buf: Buffer): Buffer[] {
  if (buf.toString('ascii', 0, 4) !== 'DKIF') throw new Error('readIvf() | not an IVF file');
  const headerLength = buf.readUInt16LE(6);
  const frames: Buffer[] = [];
  let off = headerLength;
  while (off + 12 <= buf.length) {
    const size = buf.readUInt32LE(off);
    off += 12;
    if (off + size > buf.length) break;
    frames.push(buf.subarray(off, off + size));
    off += size;
  }
  return frames;
}

/** Opus packets of an Ogg file, without the OpusHead and OpusTags header packets. */
export function readOggPackets(buf: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let off = 0;
  while (off + 27 <= buf.length) {
    if (buf.toString('ascii', off, off + 4) !== 'OggS') throw new Error('readOggPackets() | lost Ogg sync');
    const segments = buf[off + 26] as number;
    const table = buf.subarray(off + 27, off + 27 + segments);
    let data = off + 27 + segments;
    for (const lace of table) {
      pending.push(buf.subarray(data, data + lace));
      data += lace;
      // A lacing value below 255 ends a packet.
      if (lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    off = data;
  }
  return packets.filter((p) => {
    const head = p.toString('ascii', 0, 8);
    return p.length > 0 && head !== 'OpusHead' && head !== 'OpusTags';
  });
}
