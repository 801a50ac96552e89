/**
 * baresip from Debian as a room system nobody here wrote: a headless config dir (lavfi colour
 * camera, a sine tone, fakevideo display), driven over ctrl_tcp (netstrings). Facts it relies on:
 * /work/shared/reference/sip-baresip.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One running baresip. */
export interface Baresip {
  proc: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Sends a ctrl_tcp command; resolves with its `data`. */
  command(command: string, params?: string): Promise<string>;
  /** Waits for a line matching `re` in its output. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): void;
  /** Its SIP port on 127.0.0.1 (UDP and TCP). */
  sipPort: number;
}

/**
 * A loopback port free for both TCP and UDP at the moment of asking (baresip's `sip_listen` binds
 * the number on UDP and TCP). It can still be taken before baresip binds it — by another test
 * file's ephemeral port, say — so `startBaresip` retries with new ports when that happens.
 */
async function freeTcpAndUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', resolve);
    });
    const address = tcp.address();
    if (address === null || typeof address === 'string') throw new Error('freeTcpAndUdpPort() | no port');
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(address.port, '127.0.0.1', () => resolve(true));
    });
    if (udpFree) await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (udpFree) return address.port;
  }
  throw new Error('freeTcpAndUdpPort() | no port free for both TCP and UDP');
}

/** Its ports and the attempt at which each was taken by something else are tried again. */
const START_ATTEMPTS = 5;

/**
 * Starts baresip with an account for `username`/`password` and dials `dial` once it is ready.
 * Its SIP and ctrl_tcp ports are chosen here; if either was taken between the choice and
 * baresip's bind (`Address already in use`), baresip is stopped before it dialled and started
 * again on new ports.
 */
export async function startBaresip(o: {
  rtpPorts: string;
  username: string;
  password: string;
  /** Dialled once ready; none: it waits for a call (auto-answer). */
  dial?: string;
  colour: string;
  toneHz: number;
  audioCodecs?: string;
  /** Video codec module: `vp8` (default) or `avcodec` (H.264 through libx264, as hardware room systems). */
  videoModule?: 'vp8' | 'avcodec';
  /** Camera size (default 320x240). */
  videoSize?: string;
  /** Loads the snapshot module (`snapshot_recv <png>` writes the picture it decodes). */
  snapshot?: boolean;
  /** How it takes a call: `auto` (default) answers at once, `manual` rings until `accept` or `hangup`. */
  answerMode?: 'auto' | 'manual';
}): Promise<Baresip> {
  let failures = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const sipPort = await freeTcpAndUdpPort();
    let ctrlPort = await freeTcpAndUdpPort();
    while (ctrlPort === sipPort) ctrlPort = await freeTcpAndUdpPort();
    const phone = launch({ ...o, sipPort, ctrlPort });
    const ready = await phone.ready();
    if (ready === 'ready') {
      if (o.dial) await phone.command('dial', o.dial);
      return phone;
    }
    phone.stop();
    if (ready === 'address in use') {
      failures += `attempt ${attempt} (sip ${sipPort}, ctrl ${ctrlPort}):\n${phone.output().slice(-1500)}\n`;
      continue;
    }
    throw new Error(`baresip did not start; output:\n${phone.output().slice(-3000)}`);
  }
  throw new Error(`baresip: its ports were taken ${START_ATTEMPTS} times:\n${failures}`);
}

function launch(o: {
  sipPort: number;
  ctrlPort: number;
  rtpPorts: string;
  username: string;
  password: string;
  colour: string;
  toneHz: number;
  audioCodecs?: string;
  videoModule?: 'vp8' | 'avcodec';
  videoSize?: string;
  snapshot?: boolean;
  answerMode?: 'auto' | 'manual';
}): Baresip & { ready(): Promise<'ready' | 'address in use' | 'exited'> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'baresip-'));
  const modules = [
    'g722',
    'g711',
    'ausine',
    o.videoModule ?? 'vp8',
    'avformat',
    'fakevideo',
    ...(o.snapshot ? ['snapshot'] : []),
  ];
  const size = o.videoSize ?? '320x240';
  writeFileSync(
    path.join(dir, 'config'),
    [
      `sip_listen 127.0.0.1:${o.sipPort}`,
      'net_interface 127.0.0.1',
      `audio_source ausine,${o.toneHz}`,
      `audio_alert ausine,${o.toneHz}`,
      'ausrc_srate 48000',
      'ausrc_channels 2',
      `video_source avformat,lavfi,color=c=${o.colour}:size=${size}:rate=15,format=yuv420p`,
      'video_display fakevideo,nil',
      `video_size ${size}`,
      'video_bitrate 300000',
      'video_fps 15.00',
      `rtp_ports ${o.rtpPorts}`,
      'rtcp_mux yes',
      'rtp_stats yes',
      'statmode_default off',
      'module_path /usr/lib/baresip/modules',
      'avcodec_h264enc libx264',
      'avcodec_h264dec h264',
      `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`,
      ...modules.map((m) => `module ${m}.so`),
      'module_tmp uuid.so',
      'module_tmp account.so',
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      'module_app debug_cmd.so',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'accounts'),
    `<sip:${o.username}@127.0.0.1>;auth_user=${o.username};auth_pass=${o.password};regint=0;answermode=${o.answerMode ?? 'auto'};audio_codecs=${o.audioCodecs ?? 'G722/16000/1,PCMU'}\n`,
  );
  let out = '';
  const proc = spawn('baresip', ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  let closed = false;
  proc.on('close', () => {
    closed = true;
  });
  const waitFor = async (re: RegExp, timeoutMs = 15_000) => {
    const start = Date.now();
    while (!re.test(out)) {
      if (Date.now() - start > timeoutMs || proc.exitCode !== null) {
        throw new Error(`baresip: no ${re} within ${timeoutMs} ms; output:\n${out.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let token = 0;
  const command = (cmd: string, params = '') =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(o.ctrlPort, '127.0.0.1');
      const json = JSON.stringify({ command: cmd, params, token: String(++token) });
      let buf = '';
      s.on('connect', () => s.write(`${Buffer.byteLength(json)}:${json},`));
      s.on('data', (d) => {
        buf += d.toString('latin1');
        // Netstrings: <length>:<json>, — events arrive unasked between responses.
        for (;;) {
          const colon = buf.indexOf(':');
          if (colon < 0) return;
          const len = Number(buf.slice(0, colon));
          if (buf.length < colon + 1 + len + 1) return;
          const body = Buffer.from(buf.slice(colon + 1, colon + 1 + len), 'latin1').toString('utf8');
          buf = buf.slice(colon + 2 + len);
          const msg = JSON.parse(body) as { response?: boolean; data?: string };
          if (msg.response) {
            s.destroy();
            resolve(msg.data ?? '');
            return;
          }
        }
      });
      s.on('error', reject);
      setTimeout(() => {
        s.destroy();
        reject(new Error(`ctrl_tcp ${cmd}: no response`));
      }, 5000);
    });
  /** Both binds are reported before `baresip is ready.`; a SIP bind failure makes it exit. */
  const ready = async (): Promise<'ready' | 'address in use' | 'exited'> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (/Address already in use/.test(out)) return 'address in use';
      if (/baresip is ready\./.test(out)) return 'ready';
      // 'close' (not 'exit'): everything it printed before exiting has been read.
      if (closed || Date.now() > deadline) return 'exited';
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    proc,
    ready,
    output: () => out,
    sipPort: o.sipPort,
    command,
    waitFor,
    stop: () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
