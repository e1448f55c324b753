/** Gateway checks: a selector naming the gateway pods, and servers each with a port and hosts. */
import { type Issues, intIn, knownFields, labelMap, listAt, mapAt, nonEmptyString } from './validate-common.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'MONGO', 'REDIS', 'MYSQL', 'TCP', 'TLS'];

export function validateGateway(issues: Issues, spec: unknown): void {
  const s = mapAt(issues, spec, ['spec'], 'spec');
  if (!s) return;
  knownFields(issues, s, ['spec'], ['selector', 'servers']);
  // Istio accepts a Gateway without a selector, but then no one can say which pods serve it.
  if (
    s.selector === undefined ||
    (typeof s.selector === 'object' && s.selector !== null && Object.keys(s.selector).length === 0)
  ) {
    issues.add(
      ['spec', 'selector'],
      'selector is required (the labels of the gateway pods, e.g. istio: ingressgateway)',
    );
  } else labelMap(issues, s.selector, ['spec', 'selector'], 'selector');
  const servers = listAt(issues, s.servers, ['spec', 'servers']);
  if (servers.length === 0) issues.add(['spec', 'servers'], 'a Gateway needs at least one server');
  const portNames = new Set<string>();
  servers.forEach((value, i) => {
    const path = ['spec', 'servers', i];
    const server = mapAt(issues, value, path, 'a server');
    if (!server) return;
    knownFields(issues, server, path, ['port', 'bind', 'hosts', 'tls', 'name', 'defaultEndpoint']);
    const hosts = listAt(issues, server.hosts, [...path, 'hosts']);
    if (hosts.length === 0) issues.add([...path, 'hosts'], 'a server needs at least one host');
    hosts.forEach((h, j) => nonEmptyString(issues, h, [...path, 'hosts', j], 'host'));
    const port = mapAt(issues, server.port, [...path, 'port'], 'port');
    if (!port) return;
    knownFields(issues, port, [...path, 'port'], ['number', 'protocol', 'name', 'targetPort']);
    intIn(issues, port.number, [...path, 'port', 'number'], 'port number', 1, 65535);
    if (typeof port.protocol !== 'string' || !PROTOCOLS.includes(port.protocol.toUpperCase())) {
      issues.add(
        [...path, 'port', 'protocol'],
        `protocol ${JSON.stringify(port.protocol)} is not one of ${PROTOCOLS.join(', ')}`,
      );
    }
    if (nonEmptyString(issues, port.name, [...path, 'port', 'name'], 'port name')) {
      if (portNames.has(port.name)) issues.add([...path, 'port', 'name'], `duplicate server port name "${port.name}"`);
      portNames.add(port.name);
    }
  });
}
