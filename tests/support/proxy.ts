/**
 * A TCP proxy in front of several hub instances, as a load balancer with failover does it: each
 * new connection goes to the first instance that accepts one, so when an instance dies its
 * clients' reconnects land on the next. Connections already open are cut when their instance's
 * side closes (as a dead process's are).
 */
import net from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  /** e.g. `http://127.0.0.1:41234` */
  url: string;
  port: number;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards each connection to the first live backend port. */
export async function startProxy(backendPorts: readonly number[]): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  const server = net.createServer((client) => {
    track(client);
    client.pause();
    client.on('error', () => client.destroy());
    const tryBackend = (index: number): void => {
      const port = backendPorts[index];
      if (port === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
      });
      upstream.on('error', () => {
        if (connected) client.destroy();
        else tryBackend(index + 1);
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
