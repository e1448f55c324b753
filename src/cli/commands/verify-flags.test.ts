import { describe, expect, it } from 'vitest';
import { parseCli } from '../args.js';
import { verifyRequest } from './verify-flags.js';

const request = (...argv: string[]) => verifyRequest(parseCli(['verify', ...argv]));

describe('verifyRequest', () => {
  it("checks Bookinfo's reviews through productpage, anonymous, by default", () => {
    expect(request('--weights', 'v1=80,v3=20')).toEqual({
      expected: { split: { v1: 80, v3: 20 } },
      host: 'reviews',
      user: 'anonymous',
      path: '/productpage',
      apply: [],
    });
  });

  it('sends another host as the Host header, at / unless --path says where', () => {
    expect(request('--weights', 'v1=100', '--host', 'shop.example', '--user', 'jason')).toMatchObject({
      host: 'shop.example',
      user: 'jason',
      path: '/',
    });
    expect(request('--weights', 'v1=100', '--host', 'shop.example', '--path', '/api')).toMatchObject({ path: '/api' });
  });

  it('names the Rollout or Canary and the version on each side', () => {
    expect(
      request('--from-rollout', 'shop/reviews', '--stable-version', 'v1', '--canary-version', 'v3').expected,
    ).toEqual({
      kind: 'rollout',
      namespace: 'shop',
      name: 'reviews',
      versions: { stable: 'v1', canary: 'v3' },
    });
    expect(
      request('--from-canary', 'shop/reviews', '--stable-version', 'v1', '--canary-version', 'v3').expected,
    ).toMatchObject({
      kind: 'canary',
    });
  });

  it('takes --apply files on the local target only', () => {
    expect(request('--target', 'local', '--weights', 'v1=100', '--apply', 'a.yaml', '--apply', 'b.yaml').apply).toEqual(
      ['a.yaml', 'b.yaml'],
    );
    expect(() => request('--target', 'existing', '--weights', 'v1=100', '--apply', 'a.yaml')).toThrow(
      /--apply is for --target local/,
    );
  });

  it.each([
    [[], /exactly one of --weights/],
    [['--weights', 'v1=90'], /sum to 90/],
    [
      ['--weights', 'v1=100', '--from-canary', 'a/b', '--stable-version', 'v1', '--canary-version', 'v3'],
      /exactly one/,
    ],
    [['--from-rollout', 'Shop/Reviews', '--stable-version', 'v1', '--canary-version', 'v3'], /NAMESPACE\/NAME/],
    [['--from-rollout', 'shop/reviews', '--stable-version', 'v1'], /needs --stable-version and --canary-version/],
    [['--weights', 'v1=100', '--path', 'productpage'], /--path must start with \//],
  ])('refuses %j as bad input', (argv, message) => {
    expect(() => request(...argv)).toThrow(message);
  });
});
