/**
 * baresip from Debian as a room system nobody here wrote: a headless config dir (lavfi colour
 * camera, a sine tone, fakevideo display), driven over ctrl_tcp (netstrings). Facts it relies on:
 * /work/shared/reference/sip-baresip.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
}

/** Starts baresip with an account for `username`/`password` and dials `uri` at start. */
export async function startBaresip(o: {
  sipPort: number;
  ctrlPort: number;
  rtpPorts: string;
  username: string;
  password: string;
  dial: string;
  colour: string;
  toneHz: number;
  audioCodecs?: string;
  /** Video codec module: `vp8` (default) or `avcodec` (H.264 through libx264, as hardware room systems). */
  videoModule?: 'vp8' | 'avcodec';
}): Promise<Baresip> {
  const dir = mkdtempSync(path.join(tmpdir(), 'baresip-'));
  const modules = ['g722', 'g711', 'ausine', o.videoModule ?? 'vp8', 'avformat', 'fakevideo'];
  writeFileSync(
    path.join(dir, 'config'),
    [
      `sip_listen 127.0.0.1:${o.sipPort}`,
      'net_interface 127.0.0.1',
      `audio_source ausine,${o.toneHz}`,
      `audio_alert ausine,${o.toneHz}`,
      'ausrc_srate 48000',
      'ausrc_channels 2',
      `video_source avformat,lavfi,color=c=${o.colour}:size=320x240:rate=15,format=yuv420p`,
      'video_display fakevideo,nil',
      'video_size 320x240',
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
    `<sip:${o.username}@127.0.0.1>;auth_user=${o.username};auth_pass=${o.password};regint=0;answermode=auto;audio_codecs=${o.audioCodecs ?? 'G722/16000/1,PCMU'}\n`,
  );
  let out = '';
  const proc = spawn('baresip', ['-f', dir, '-e', `/dial ${o.dial}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
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
  return {
    proc,
    output: () => out,
    command,
    waitFor,
    stop: () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
