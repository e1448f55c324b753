import { describe, expect, it } from 'vitest';
import { addressScope, hostScopes } from './address-scope.js';

describe('addressScope', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.1', 'private'],
    ['192.168.0.10', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['172.32.0.1', 'other'],
    ['8.8.8.8', 'other'],
    ['2001:db8::1', 'other'],
  ])('%s is %s', (ip, scope) => expect(addressScope(ip)).toBe(scope));
});

describe('hostScopes', () => {
  it('takes an IP (bracketed IPv6 too) as it is, and a name that does not resolve as no address', async () => {
    expect(await hostScopes('[::1]')).toEqual([{ address: '::1', scope: 'loopback' }]);
    expect(await hostScopes('169.254.169.254')).toEqual([{ address: '169.254.169.254', scope: 'link-local' }]);
    expect(await hostScopes('no-such-host.invalid')).toEqual([]);
  });
});
