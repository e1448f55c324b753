/**
 * Where an IP address points, as far as sending traffic there goes: this machine (loopback), a
 * private network (RFC 1918, shared address space, IPv6 unique local), a link-local address
 * (where cloud metadata services answer), or anywhere else.
 */
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export type AddressScope = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'other';

const RANGES: [AddressScope, string, number, 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
];

const LISTS = new Map<AddressScope, BlockList>();
for (const [scope, net, prefix, type] of RANGES) {
  const list = LISTS.get(scope) ?? new BlockList();
  list.addSubnet(net, prefix, type);
  LISTS.set(scope, list);
}

/** The scope of an IP address (an IPv4-mapped IPv6 address as its IPv4 one); `other` for anything not listed. */
export function addressScope(ip: string): AddressScope {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  for (const [scope, list] of LISTS) if (list.check(address, type)) return scope;
  return 'other';
}

/**
 * The addresses `host` names (itself when it is an IP), each with its scope. A name that does not
 * resolve within `timeoutMs` gives none: whoever connects to it will say why.
 */
export async function hostScopes(host: string, timeoutMs = 3_000): Promise<{ address: string; scope: AddressScope }[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare)
    ? [bare]
    : await Promise.race([
        lookup(bare, { all: true }).then(
          (r) => r.map((a) => a.address),
          () => [],
        ),
        sleep(timeoutMs, [] as string[], { ref: false }),
      ]);
  return addresses.map((address) => ({ address, scope: addressScope(address) }));
}
