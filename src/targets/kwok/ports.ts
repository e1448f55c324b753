/** Loopback ports: every process of the control plane binds 127.0.0.1 only, and the data plane reaches istiod there. */
import { createServer, connect } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A port the kernel says is free on 127.0.0.1 now (the process that takes it binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const out = {} as Record<K, number>;
  const seen = new Set<number>();
  for (const n of names) {
    let p = await freePort();
    while (seen.has(p)) p = await freePort();
    seen.add(p);
    out[n] = p;
  }
  return out;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: LOOPBACK, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}
