import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 (port 0 picks a free one) and resolves with the port bound. */
export function listenLoopback(server: Server, port: number): Promise<number> {
  return listenOn(server, port, '127.0.0.1');
}

/** Listens on `host` (port 0 picks a free one) and resolves with the port bound. */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
