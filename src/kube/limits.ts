/**
 * Limits the Kubernetes API server enforces on every object, checked before anything is applied so
 * that what a cluster would refuse is refused offline too, on every target: the annotations of an
 * object may total at most 256 KiB (keys and values), and a request body at most 3 MiB.
 */
import type { KubeObject } from './manifest.js';

/** apimachinery's TotalAnnotationSizeLimitB. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** The API server's default MaxRequestBodyBytes. */
export const MAX_OBJECT_BYTES = 3 * 1024 * 1024;

export interface LimitIssue {
  path: (string | number)[];
  message: string;
}

export function objectLimitIssues(o: KubeObject): LimitIssue[] {
  const issues: LimitIssue[] = [];
  const annotations = o.metadata?.annotations;
  if (annotations && typeof annotations === 'object') {
    let total = 0;
    for (const [k, v] of Object.entries(annotations))
      total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
    if (total > MAX_ANNOTATIONS_BYTES)
      issues.push({
        path: ['metadata', 'annotations'],
        message: `annotations total ${kib(total)}, over the API server's limit of ${kib(MAX_ANNOTATIONS_BYTES)}`,
      });
  }
  const size = Buffer.byteLength(JSON.stringify(o));
  if (size > MAX_OBJECT_BYTES)
    issues.push({
      path: [],
      message: `the object is ${kib(size)} as JSON, over the API server's request limit of ${kib(MAX_OBJECT_BYTES)}`,
    });
  return issues;
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}
