/** Events in a namespace as one line each, oldest first: what a person reads after a failure. */
import type { KubeClient } from './client.js';
import type { KubeObject } from './manifest.js';

export interface EventLine {
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
}

export function eventLine(e: KubeObject): EventLine {
  const ev = e as any;
  const time = ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp ?? ev.metadata?.creationTimestamp ?? '';
  const io = ev.involvedObject ?? ev.regarding ?? {};
  return {
    time: String(time),
    type: String(ev.type ?? ''),
    reason: String(ev.reason ?? ''),
    object: `${io.kind ?? '?'}/${io.name ?? '?'}`,
    message: String(ev.message ?? ev.note ?? '').trim(),
    count: Number(ev.count ?? ev.series?.count ?? 1),
  };
}

export async function listEvents(client: KubeClient, namespace: string): Promise<EventLine[]> {
  const { items } = await client.list('v1', 'Event', namespace);
  return items.map(eventLine).sort((a, b) => a.time.localeCompare(b.time));
}

export function formatEvents(lines: readonly EventLine[]): string {
  return lines
    .map((l) => `${l.time} ${l.type} ${l.reason} ${l.object}${l.count > 1 ? ` (x${l.count})` : ''}: ${l.message}`)
    .join('\n');
}
