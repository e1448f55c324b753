/**
 * Kubernetes objects as meshproof handles them, and loading them from YAML files with the line of
 * each object kept, so every later error can point at the file and line it came from.
 */
import { LineCounter, parseAllDocuments, isMap, type Document } from 'yaml';
import { InputError, type InputIssue } from '../core/errors.js';
import { documentData, MAX_MANIFEST_BYTES, readInputText, syntaxIssues } from '../core/yaml-input.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  [key: string]: unknown;
}

/** Where an object was read from. */
export interface ObjectSource {
  file: string;
  /** 1-based line of the document's first key. */
  line: number;
  /** Index of the document in the file (0-based). */
  index: number;
  /** Line of a field inside the object, by dotted/indexed path (`spec.http[0].route`); falls back to `line`. */
  lineOf(path: (string | number)[]): number;
}

export interface LoadedObject {
  object: KubeObject;
  source: ObjectSource;
}

/**
 * Kinds that live outside namespaces: Kubernetes' own, and the Gateway API's GatewayClass (every
 * Istio kind is namespaced). See isClusterScoped for kinds not listed.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'APIService',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'GatewayClass',
]);

/**
 * Whether a kind lives outside namespaces: the kinds listed above, and any kind named `Cluster…`
 * (ClusterIssuer, ClusterPolicy, ClusterTrustBundle: the convention cluster-wide kinds follow).
 */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || /^Cluster[A-Z]/.test(kind);
}

/** `Kind name.namespace`, the way messages name objects; `Kind name` for a cluster-scoped kind. */
export function objectRef(o: Pick<KubeObject, 'kind' | 'metadata'>, defaultNamespace = 'default'): string {
  if (isClusterScoped(o.kind)) return `${o.kind} ${o.metadata.name}`;
  return `${o.kind} ${o.metadata.name}.${o.metadata.namespace ?? defaultNamespace}`;
}

/** Parses every YAML document of a text. Empty documents are skipped. Syntax errors become InputErrors. */
export function parseManifests(text: string, file: string): LoadedObject[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false });
  const issues: InputIssue[] = [];
  const out: LoadedObject[] = [];
  (Array.isArray(docs) ? docs : [docs]).forEach((doc: Document, index: number) => {
    issues.push(...syntaxIssues(doc.errors, counter, text, file));
    if (doc.errors.length) return;
    if (doc.contents === null) return;
    const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : counter.linePos(offset).line);
    const docLine = lineAt(doc.contents.range?.[0]);
    if (!isMap(doc.contents)) {
      issues.push({ file, line: docLine, message: 'expected a Kubernetes object (a YAML mapping)' });
      return;
    }
    const js = documentData(doc, file);
    if ('issue' in js) return void issues.push({ ...js.issue, line: docLine });
    const object = js.data as KubeObject;
    const source: ObjectSource = {
      file,
      line: docLine,
      index,
      lineOf: (path) => {
        // The line of the key when the field sits in a mapping (a block value starts a line
        // below its key), the item's own line in a sequence; the nearest existing ancestor otherwise.
        for (let n = path.length; n > 0; n--) {
          const parent = (n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true)) as any;
          const seg = path[n - 1];
          if (isMap(parent)) {
            const pair = parent.items.find((it: any) => (it?.key?.value ?? it?.key) === seg) as any;
            if (pair?.key?.range) return lineAt(pair.key.range[0]);
          } else if (parent?.items && typeof seg === 'number') {
            const item = parent.items[seg];
            if (item?.range) return lineAt(item.range[0]);
          }
        }
        return docLine;
      },
    };
    const missing = (['apiVersion', 'kind'] as const).filter((k) => typeof object[k] !== 'string');
    if (missing.length || typeof object.metadata?.name !== 'string') {
      const fields = [...missing, ...(typeof object.metadata?.name !== 'string' ? ['metadata.name'] : [])];
      issues.push({ file, line: docLine, field: fields.join(', '), message: `missing ${fields.join(', ')}` });
      return;
    }
    out.push({ object, source });
  });
  if (issues.length) throw new InputError(issues);
  return out;
}

/** Reads and parses a manifest file; a missing file is an InputError naming it. */
export async function loadManifestFile(
  file: string,
  referencedFrom?: { file: string; line?: number; field?: string },
): Promise<LoadedObject[]> {
  const read = await readInputText(file, MAX_MANIFEST_BYTES);
  if ('issue' in read) {
    // Unreadable: said where the manifest is named. Too large or not UTF-8: said of the file itself.
    const where = read.code === 'EFBIG' || read.code === 'EILSEQ' ? { file } : (referencedFrom ?? { file });
    throw new InputError([
      {
        ...where,
        ...(where.file === file && read.issue.line ? { line: read.issue.line } : {}),
        message: `manifest ${file}: ${read.issue.message}`,
      },
    ]);
  }
  const text = read.text;
  return parseManifests(text, file);
}
