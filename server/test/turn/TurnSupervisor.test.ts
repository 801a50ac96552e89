/**
 * The hub's embedded coturn, for real: started from the hub's settings, it grants a TURN
 * allocation to the credential IceServers hands a page, and refuses an expired one and one signed
 * with another secret (checked with coturn's own client, turnutils_uclient, against turnutils_peer).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IceServers } from '../../src/turn/IceServers.js';
import { loadTurnConfig } from '../../src/turn/TurnConfig.js';
import { issueTurnCredential } from '../../src/turn/TurnCredentials.js';
import { TurnSupervisor } from '../../src/turn/TurnSupervisor.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Allocates through coturn and sends 5 packets to the peer; the client's output says how it went. */
function allocate(
  port: number,
  peerPort: number,
  username: string,
  password: string,
  peerIp = '127.0.0.1',
): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'turnutils_uclient',
      [
        '-u',
        username,
        '-w',
        password,
        '-p',
        String(port),
        '-e',
        peerIp,
        '-r',
        String(peerPort),
        '-n',
        '5',
        '-c',
        '127.0.0.1',
      ],
      { timeout: 15_000 },
      (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

let dir: string;
let turn: TurnSupervisor;
let peer: ChildProcess;
let port: number;
let peerPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'giaoban-turn-'));
  port = await freePort();
  peerPort = await freePort();
  const config = loadTurnConfig(
    {
      TURN: 'embedded',
      TURN_LISTEN_IPS: '127.0.0.1',
      TURN_RELAY_IP: '127.0.0.1',
      TURN_PORT: String(port),
      TURN_TLS_PORT: '0',
      TURN_MIN_PORT: '51000',
      TURN_MAX_PORT: '51099',
      TURN_ALLOW_LOOPBACK_PEERS: '1',
    },
    dir,
  );
  if (!config) throw new Error('TURN should be on');
  turn = await TurnSupervisor.start(config, ['127.0.0.1']);
  peer = spawn('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)], { stdio: 'ignore' });
});

afterAll(async () => {
  peer?.kill('SIGTERM');
  await turn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded coturn', () => {
  it('relays for the credential a page is handed, with the secret the hub generated', async () => {
    const config = loadTurnConfig({ TURN: 'embedded', TURN_PORT: String(port), TURN_TLS_PORT: '0' }, dir);
    if (!config) throw new Error('TURN should be on');
    const ice = new IceServers(config, turn.secret).forPage('link-ok', '127.0.0.1:8080');
    expect(ice.iceServers[0]?.urls).toContain(`turn:127.0.0.1:${port}?transport=udp`);
    const out = await allocate(
      port,
      peerPort,
      ice.iceServers[0]?.username ?? '',
      ice.iceServers[0]?.credential ?? '',
    );
    expect(out).toMatch(/Total lost packets 0/);
    expect(out).not.toMatch(/Cannot complete Allocation/);
  });

  it('refuses an expired credential and one signed with another secret', async () => {
    const expired = issueTurnCredential(turn.secret, 'link-old', 60, Date.now() - 3600_000);
    expect(await allocate(port, peerPort, expired.username, expired.credential)).toMatch(
      /Cannot complete Allocation/,
    );
    const forged = issueTurnCredential('not-the-hubs-secret-at-all', 'link-x', 600);
    expect(await allocate(port, peerPort, forged.username, forged.credential)).toMatch(
      /Cannot complete Allocation/,
    );
  });

  it('relays to the media address only: another address on the same host is a forbidden peer', async () => {
    const other = spawn('turnutils_peer', ['-L', '127.0.0.2', '-p', String(peerPort)], { stdio: 'ignore' });
    try {
      const c = issueTurnCredential(turn.secret, 'link-ok', 600);
      expect(await allocate(port, peerPort, c.username, c.credential, '127.0.0.2')).toMatch(
        /403 \(Forbidden IP\)/,
      );
    } finally {
      other.kill('SIGTERM');
    }
  });

  it('stop() ends coturn and can be called twice', async () => {
    const pid = turn.pid;
    await turn.stop();
    await turn.stop();
    expect(pid).toBeDefined();
    expect(() => process.kill(pid as number, 0)).toThrow();
  });
});
