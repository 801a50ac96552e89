import dgram from 'node:dgram';
import net from 'node:net';

/** A port number free for both UDP and TCP on 127.0.0.1 right now (for a test WebRtcServer). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => {
        const sock = dgram.createSocket('udp4');
        sock.once('error', () => srv.close(() => resolve(false)));
        sock.bind(port, '127.0.0.1', () => sock.close(() => srv.close(() => resolve(true))));
      });
    });
    if (ok) return port;
  }
  throw new Error('no free port');
}
