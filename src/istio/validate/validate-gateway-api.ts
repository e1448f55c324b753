/**
 * Gateway (gateway.networking.k8s.io/v1) checked as the standard-channel CRD (Gateway API v1.6.0)
 * checks it: a class, one to 64 listeners with unique names and unique port/protocol/hostname
 * combinations, the CEL rules tying tls to the protocol. The HTTPRoute lives in validate-httproute.ts.
 */
import { type Issues, intIn, isMap, knownFields, mapAt } from './validate-common.js';
import {
  GATEWAY_API_GROUP,
  HOSTNAME,
  SUBDOMAIN,
  boundedList,
  oneOf,
  patterned,
} from './validate-gateway-api-common.js';

const PROTOCOL_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const PROTOCOL_DOMAIN_PREFIXED = /[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/;
const PROTOCOL = new RegExp(`${PROTOCOL_NAME.source}|${PROTOCOL_DOMAIN_PREFIXED.source}`);
const NO_TLS = ['HTTP', 'TCP', 'UDP'];

export function validateKubeGateway(issues: Issues, spec: unknown): void {
  const s = mapAt(issues, spec, ['spec'], 'spec');
  if (!s) return;
  knownFields(
    issues,
    s,
    ['spec'],
    ['gatewayClassName', 'listeners', 'addresses', 'infrastructure', 'allowedListeners', 'tls'],
  );
  patterned(issues, s.gatewayClassName, ['spec', 'gatewayClassName'], 'gatewayClassName', {
    min: 1,
    max: 253,
    required: true,
    hint: 'Istio serves the class istio',
  });
  if (s.listeners === undefined) issues.add(['spec', 'listeners'], 'a Gateway needs at least one listener');
  const listeners = boundedList(issues, s.listeners, ['spec', 'listeners'], 64, 1);
  const names = new Set<unknown>();
  const combos = new Set<string>();
  listeners.forEach((l, i) => {
    const path = ['spec', 'listeners', i];
    if (!isMap(l)) return issues.add(path, 'a listener must be a mapping with name, port and protocol');
    knownFields(issues, l, path, ['name', 'hostname', 'port', 'protocol', 'tls', 'allowedRoutes']);
    if (
      patterned(issues, l.name, [...path, 'name'], 'listener name', {
        pattern: SUBDOMAIN,
        min: 1,
        max: 253,
        required: true,
      })
    ) {
      if (names.has(l.name))
        issues.add([...path, 'name'], `listener name ${JSON.stringify(l.name)} must be unique within the Gateway`);
      names.add(l.name);
    }
    if (l.port === undefined) issues.add([...path, 'port'], 'listener port is required');
    else intIn(issues, l.port, [...path, 'port'], 'listener port', 1, 65535);
    const protocolOk = patterned(issues, l.protocol, [...path, 'protocol'], 'listener protocol', {
      pattern: PROTOCOL,
      min: 1,
      max: 255,
      required: true,
      hint: 'HTTP, HTTPS, TLS, TCP',
    });
    if (l.hostname !== undefined)
      patterned(issues, l.hostname, [...path, 'hostname'], 'listener hostname', {
        pattern: HOSTNAME,
        min: 1,
        max: 253,
      });
    const combo = `${String(l.port)}/${String(l.protocol)}/${String(l.hostname ?? '')}`;
    if (combos.has(combo))
      issues.add([...path, 'port'], 'the combination of port, protocol and hostname must be unique for each listener');
    combos.add(combo);
    if (protocolOk) tlsRules(issues, l, path);
    if (l.allowedRoutes !== undefined) allowedRoutes(issues, l.allowedRoutes, [...path, 'allowedRoutes']);
  });
}

function tlsRules(issues: Issues, l: Record<string, unknown>, path: (string | number)[]): void {
  const p = l.protocol as string;
  if (NO_TLS.includes(p) && l.tls !== undefined) issues.add([...path, 'tls'], `tls must not be set for protocol ${p}`);
  if (p === 'TLS' && !(isMap(l.tls) && l.tls.mode))
    issues.add([...path, 'tls'], 'tls mode must be set for protocol TLS');
  if (p === 'HTTPS' && isMap(l.tls) && l.tls.mode !== undefined && l.tls.mode !== 'Terminate')
    issues.add([...path, 'tls', 'mode'], 'tls mode must be Terminate for protocol HTTPS');
  if ((p === 'TCP' || p === 'UDP') && l.hostname)
    issues.add([...path, 'hostname'], `hostname must not be set for protocol ${p}`);
}

function allowedRoutes(issues: Issues, value: unknown, path: (string | number)[]): void {
  const a = mapAt(issues, value, path);
  if (!a) return;
  knownFields(issues, a, path, ['namespaces', 'kinds']);
  if (a.namespaces !== undefined) {
    const n = mapAt(issues, a.namespaces, [...path, 'namespaces']);
    if (n) {
      knownFields(issues, n, [...path, 'namespaces'], ['from', 'selector']);
      if (n.from !== undefined)
        oneOf(issues, n.from, [...path, 'namespaces', 'from'], 'namespaces.from', ['All', 'Selector', 'Same']);
    }
  }
  boundedList(issues, a.kinds, [...path, 'kinds'], 8).forEach((k, i) => {
    const p = [...path, 'kinds', i];
    if (!isMap(k)) return issues.add(p, 'a route kind must be a mapping with kind (and group)');
    knownFields(issues, k, p, ['group', 'kind']);
    patterned(issues, k.kind, [...p, 'kind'], 'route kind', { min: 1, max: 63, required: true });
    if (k.group !== undefined && k.group !== GATEWAY_API_GROUP && k.group !== '')
      patterned(issues, k.group, [...p, 'group'], 'route group', { pattern: SUBDOMAIN, max: 253 });
  });
}
