import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts. Chosen below Linux's
 * ephemeral range (32768–60999): a port the kernel hands out for `listen(0)` is also one it hands to
 * outgoing connections, so a broker told to bind it a second later could find it taken (eaddrinuse).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free TCP port between 20000 and 32000 on 127.0.0.1');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
