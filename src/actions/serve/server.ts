/**
 * The HTTP server around routes.ts, on node:http: five routes, JSON in and out, no middleware — a framework would add
 * a dependency to the package and nothing these routes need. Bodies are capped: a controller's payload is a few
 * hundred bytes, and serve must not buffer whatever a caller sends.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { route, type Answer } from './routes.js';
import type { Verdicts } from './verdicts.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface Serving {
  url: string;
  close(): Promise<void>;
}

export async function listen(port: number, verdicts: Pick<Verdicts, 'verdict'>, host = '0.0.0.0'): Promise<Serving> {
  const server = createServer((req, res) => {
    void answer(req, verdicts).then((a) => {
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(a.body)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`, close: () => closeServer(server) };
}

async function answer(req: IncomingMessage, verdicts: Pick<Verdicts, 'verdict'>): Promise<Answer> {
  const body = await readBody(req);
  if (body === null) return { status: 413, body: { error: `the body is larger than ${MAX_BODY_BYTES} bytes` } };
  return route({ method: req.method ?? 'GET', url: req.url ?? '/', body }, verdicts);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
