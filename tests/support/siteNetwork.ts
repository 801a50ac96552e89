/**
 * A bridge point on its own network, whose line the test can cut. A second network namespace
 * (held by an `unshare -n sleep` process) is joined to the test's namespace by a veth pair:
 * the hub side is 10.77.0.1, the site side 10.77.0.2. Chromium for the site runs inside it
 * (through a wrapper that `nsenter`s the namespace), so all its traffic — signalling and media —
 * crosses the pair. Cutting the line pins each side's neighbour entry to a MAC address nobody
 * has: every frame is then dropped silently by the receiving veth, in both directions, with no
 * error to either sender — what a failed provincial link looks like to both ends. Restoring
 * removes the pins and ARP finds the real neighbours again.
 *
 * Needs root (the browser suite runs as root inside its own loopback-only namespace, infra/test.sh)
 * and nothing but iproute2 and util-linux: this kernel has no tc classifiers to drop packets with.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumPath } from './browser.js';

export const HUB_SIDE_IP = '10.77.0.1';
export const SITE_SIDE_IP = '10.77.0.2';
const HUB_DEV = 'gbhub0';
const SITE_DEV = 'gbsite0';
/** A locally administered MAC no interface has: frames sent to it are nobody's. */
const NOBODY_MAC = '02:00:5e:00:00:99';

/** The site's network, from the test's side. */
export interface SiteNetwork {
  /** A Chromium executable that runs in the site's namespace (for playwright's `executablePath`). */
  chromium: string;
  /** Drops every packet between the site and the hub until {@link restore}. */
  cut(): void;
  restore(): void;
  close(): void;
}

const ip = (args: string[], pid?: number): string =>
  execFileSync(pid ? 'nsenter' : 'ip', pid ? ['-t', String(pid), '-n', 'ip', ...args] : args, {
    encoding: 'utf8',
  });

/** Builds the site's namespace and the veth pair; throws with the reason when this is not root. */
export async function createSiteNetwork(): Promise<SiteNetwork> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'a site network namespace needs root: run the browser suite with `npm test` (infra/test.sh)',
    );
  const holder: ChildProcess = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  const pid = holder.pid;
  if (!pid) throw new Error('could not start the namespace holder (unshare)');
  // The holder must be inside its new namespace before the link moves there.
  const ownNs = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' });
  for (let i = 0; i < 100; i++) {
    const ns = execFileSync('readlink', [`/proc/${pid}/ns/net`], { encoding: 'utf8' });
    if (ns !== ownNs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return build(holder, pid);
}

function build(holder: ChildProcess, pid: number): SiteNetwork {
  ip(['link', 'add', HUB_DEV, 'type', 'veth', 'peer', 'name', SITE_DEV]);
  ip(['link', 'set', SITE_DEV, 'netns', String(pid)]);
  ip(['addr', 'add', `${HUB_SIDE_IP}/24`, 'dev', HUB_DEV]);
  ip(['link', 'set', HUB_DEV, 'up']);
  ip(['addr', 'add', `${SITE_SIDE_IP}/24`, 'dev', SITE_DEV], pid);
  ip(['link', 'set', SITE_DEV, 'up'], pid);
  ip(['link', 'set', 'lo', 'up'], pid);

  const dir = mkdtempSync(path.join(tmpdir(), 'giaoban-site-net-'));
  const chromium = path.join(dir, 'chromium-in-site-network');
  writeFileSync(chromium, `#!/bin/sh\nexec nsenter -t ${pid} -n ${chromiumPath} "$@"\n`);
  chmodSync(chromium, 0o755);

  return {
    chromium,
    cut() {
      ip(['neigh', 'replace', SITE_SIDE_IP, 'lladdr', NOBODY_MAC, 'dev', HUB_DEV, 'nud', 'permanent']);
      ip(['neigh', 'replace', HUB_SIDE_IP, 'lladdr', NOBODY_MAC, 'dev', SITE_DEV, 'nud', 'permanent'], pid);
    },
    restore() {
      ip(['neigh', 'del', SITE_SIDE_IP, 'dev', HUB_DEV]);
      ip(['neigh', 'del', HUB_SIDE_IP, 'dev', SITE_DEV], pid);
    },
    close() {
      holder.kill('SIGKILL');
      try {
        ip(['link', 'del', HUB_DEV]);
      } catch {
        // gone with the site's namespace already
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
