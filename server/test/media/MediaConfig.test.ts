import { describe, expect, it } from 'vitest';
import { loadMediaConfig, MediaConfigError } from '../../src/media/index.js';

describe('loadMediaConfig()', () => {
  it('listens on loopback under tests and on all interfaces in production, announcing a concrete address', () => {
    const test = loadMediaConfig({ NODE_ENV: 'test' });
    expect(test).toMatchObject({ listenIp: '127.0.0.1', announcedIp: undefined, webRtcServerPort: 40000 });
    expect(test.numWorkers).toBeGreaterThanOrEqual(1);
    const prod = loadMediaConfig({});
    expect(prod.listenIp).toBe('0.0.0.0');
    expect(prod.announcedIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(prod.announcedIp).not.toBe('0.0.0.0');
  });

  it('reads every variable', () => {
    const c = loadMediaConfig({
      MEDIA_LISTEN_IP: '10.0.0.5',
      MEDIA_ANNOUNCED_IP: '203.0.113.7',
      MEDIA_WORKERS: '3',
      MEDIA_RTC_PORT: '3478',
      MEDIA_RTC_MIN_PORT: '50000',
      MEDIA_RTC_MAX_PORT: '50999',
      MEDIA_LOG_LEVEL: 'debug',
      MEDIA_MAX_INCOMING_KBPS: '2000',
      MEDIA_CONSUMER_GRACE_MS: '2500',
      MEDIASOUP_WORKER_BIN: '/opt/mediasoup-worker',
    });
    expect(c).toMatchObject({
      listenIp: '10.0.0.5',
      announcedIp: '203.0.113.7',
      numWorkers: 3,
      webRtcServerPort: 3478,
      rtcMinPort: 50000,
      rtcMaxPort: 50999,
      logLevel: 'debug',
      maxIncomingBitrate: 2_000_000,
      consumerGraceMs: 2500,
      workerBin: '/opt/mediasoup-worker',
    });
  });

  it('MEDIA_RTC_PORT=0 turns the WebRtcServer off', () => {
    expect(loadMediaConfig({ MEDIA_RTC_PORT: '0' }).webRtcServerPort).toBe(0);
  });

  it.each([
    [{ MEDIA_WORKERS: '0' }, /MEDIA_WORKERS must be an integer between 1 and 256/],
    [{ MEDIA_WORKERS: 'two' }, /MEDIA_WORKERS/],
    [{ MEDIA_LISTEN_IP: 'localhost' }, /MEDIA_LISTEN_IP must be an IPv4 or IPv6 address/],
    [{ MEDIA_ANNOUNCED_IP: 'example.org' }, /MEDIA_ANNOUNCED_IP/],
    [
      { MEDIA_RTC_MIN_PORT: '45000', MEDIA_RTC_MAX_PORT: '44000' },
      /MEDIA_RTC_MIN_PORT \(45000\) must not be greater/,
    ],
    [{ MEDIA_RTC_PORT: '80' }, /MEDIA_RTC_PORT must be 0 \(off\) or at least 1024/],
    [{ MEDIA_RTC_PORT: '65535', MEDIA_WORKERS: '2' }, /runs past port 65535/],
    [{ MEDIA_RTC_PORT: '40100', MEDIA_WORKERS: '2' }, /overlap/],
    [{ MEDIA_CONSUMER_GRACE_MS: '-1' }, /MEDIA_CONSUMER_GRACE_MS must be an integer between 0 and 600000/],
    [{ MEDIA_LOG_LEVEL: 'verbose' }, /MEDIA_LOG_LEVEL must be one of debug, warn, error, none/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadMediaConfig(env)).toThrowError(MediaConfigError);
    expect(() => loadMediaConfig(env)).toThrowError(message);
  });
});
