import { describe, expect, it } from 'vitest';
import { isClusterScoped, parseManifests } from '../kube/manifest.js';
import { admittedKinds } from '../istio/validate/validate.js';
import { checkFence, isSystemNamespace } from './fence.js';
import { planField, type PlanPath } from './yaml-source.js';

const PLAN = '/plans/p.yaml';
const planAt = (path: PlanPath) => ({ file: PLAN, line: 100 + path.length, field: planField(path) });
const objects = (yaml: string) => parseManifests(yaml, '/m/objects.yaml');
const fence = (yaml: string, allow: string[] = [], namespace = 'default') =>
  checkFence(objects(yaml), namespace, allow, planAt);

const WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  template:
    spec:
      hostPID: true
      hostNetwork: true
      hostIPC: true
      initContainers:
        - name: init
          securityContext: { privileged: true }
      containers:
        - name: app
          image: x
      volumes:
        - name: root
          hostPath: { path: / }
        - name: scratch
          emptyDir: {}
`;

describe('the namespace fence', () => {
  it('lets through what a traffic plan writes in its own namespace', () => {
    const r = fence(
      [
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}',
        'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews, namespace: default}',
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p}',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}',
        'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}',
        'apiVersion: v1\nkind: Service\nmetadata: {name: s}',
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}',
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}',
      ].join('\n---\n'),
    );
    expect(r).toEqual({ issues: [], beyond: [], warnings: [] });
  });

  it('refuses another namespace at metadata.namespace, naming what kube-system and istio-system are', () => {
    const r = fence(
      [
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns\n  namespace: kube-system',
        'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: deny\n' +
          '  namespace: istio-system',
        'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop',
      ].join('\n---\n'),
    );
    expect(r.issues).toEqual([
      {
        file: '/m/objects.yaml',
        line: 5,
        field: 'metadata.namespace',
        message:
          "ConfigMap coredns.kube-system: outside the plan's namespace default (kube-system: the cluster's own " +
          "components run there) — list kube-system in the plan's allowNamespaces to allow it",
      },
      expect.objectContaining({
        line: 11,
        message: expect.stringContaining(
          "(istio-system: Istio's root namespace: what is written there applies to the whole mesh)",
        ),
      }),
      expect.objectContaining({
        line: 17,
        message:
          "VirtualService r.shop: outside the plan's namespace default — " +
          "list shop in the plan's allowNamespaces to allow it",
      }),
    ]);
    expect(r.beyond).toEqual([]);
  });

  it('refuses a Namespace of another name at its name; its own namespace is fine', () => {
    const r = fence(
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n' +
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}',
    );
    expect(r.issues).toEqual([
      {
        file: '/m/objects.yaml',
        line: 4,
        field: 'metadata.name',
        message:
          "Namespace shop: outside the plan's namespace default — list shop in the plan's allowNamespaces " +
          'to allow it',
      },
    ]);
  });

  it('needs no fence for kinds: of the kinds meshproof applies only Namespace is cluster-scoped', () => {
    const kinds = admittedKinds();
    expect(kinds.length).toBeGreaterThan(10);
    expect(kinds.filter((k) => isClusterScoped(k.kind)).map((k) => `${k.apiVersion} ${k.kind}`)).toEqual([
      'v1 Namespace',
    ]);
  });

  it('refuses access to the node in its own namespace, each at its field', () => {
    const r = fence(WORKLOAD);
    expect(r.issues.map((i) => `${i.line} ${i.field}`)).toEqual([
      '8 spec.template.spec.hostPID',
      '10 spec.template.spec.hostIPC',
      '9 spec.template.spec.hostNetwork',
      '13 spec.template.spec.initContainers[0].securityContext.privileged',
      '19 spec.template.spec.volumes[0].hostPath',
    ]);
    expect(r.issues[4]!.message).toBe(
      'Deployment agent.default: volume root mounts / of the node (hostPath); ' +
        "a traffic plan needs no access to the node — list default in the plan's allowNamespaces to allow it",
    );
  });

  it('finds the pod spec of every kind that makes pods', () => {
    const spec = '{hostNetwork: true}';
    const r = fence(
      [
        `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: ${spec}`,
        `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: b}\nspec: {template: {spec: ${spec}}}`,
        `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n` +
          `spec: {jobTemplate: {spec: {template: {spec: ${spec}}}}}`,
      ].join('\n---\n'),
      ['default'],
    );
    expect(r.beyond.map((b) => `${b.ref}: ${b.crosses.join(', ')}`)).toEqual([
      'Pod a.default: hostNetwork',
      'StatefulSet b.default: hostNetwork',
      'CronJob c.default: hostNetwork',
    ]);
  });

  it('lets allowNamespaces through, keeps what it let through, and warns of access to the node', () => {
    const r = fence(
      WORKLOAD.replace('name: agent', 'name: agent\n  namespace: kube-system') +
        '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      ['kube-system', 'shop'],
    );
    expect(r.issues).toEqual([]);
    expect(r.beyond).toEqual([
      {
        ref: 'Deployment agent.kube-system',
        file: '/m/objects.yaml',
        line: 1,
        allowedBy: 'kube-system',
        crosses: ['in kube-system', 'hostPID', 'hostIPC', 'hostNetwork', 'privileged', 'hostPath /'],
      },
      { ref: 'Namespace shop', file: '/m/objects.yaml', line: 24, allowedBy: 'shop', crosses: ['namespace shop'] },
    ]);
    expect(r.warnings).toHaveLength(5);
    expect(r.warnings[0]).toEqual({
      file: '/m/objects.yaml',
      line: 9,
      field: 'spec.template.spec.hostPID',
      message:
        "Deployment agent.kube-system: hostPID: its pods would see and signal the node's processes; " +
        'a traffic plan needs no access to the node; allowed by allowNamespaces (kube-system)',
    });
  });

  it('warns of an allowNamespaces entry nothing needs, at the entry', () => {
    const r = fence('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}', ['shop', 'kube-system']);
    expect(r.issues).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: PLAN,
        line: 102,
        field: 'allowNamespaces[1]',
        message: 'allowNamespaces lists kube-system, but nothing in this plan needs it: leave it out',
      },
    ]);
  });

  it("refuses a system namespace as the plan's own, unless allowNamespaces lists it", () => {
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}';
    const refused = fence(vs, [], 'istio-system');
    expect(refused.issues).toEqual([
      {
        file: PLAN,
        line: 101,
        field: 'namespace',
        message: expect.stringMatching(/^namespace istio-system is a system namespace \(istio-system: Istio's root/),
      },
    ]);
    expect(fence(vs, ['istio-system'], 'istio-system')).toEqual({ issues: [], beyond: [], warnings: [] });
    expect(['kube-system', 'kube-public', 'istio-system', 'istio-ingress'].every(isSystemNamespace)).toBe(true);
    expect(['default', 'bookinfo', 'kubeflow', 'istio'].some(isSystemNamespace)).toBe(false);
  });
});
