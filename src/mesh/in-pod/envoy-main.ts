/**
 * The `envoy` executable of meshproof's proxyv2 image: pilot-agent runs it as it runs Envoy
 * (`envoy -c /etc/istio/proxy/envoy-rev.json --drain-time-s … --disable-hot-restart …`), and it
 * answers `--version`. Ends on SIGTERM, SIGINT or the admin port's `/quitquitquit`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { xdsTypes } from '../xds/descriptors.js';
import { parseEnvoyArgs, readBootstrap } from './bootstrap.js';
import { InPodProxy } from './in-pod-proxy.js';

export const DEFAULT_DESCRIPTORS = '/usr/local/share/meshproof/xds-descriptors.binpb';
export const VERSION_LINE = 'envoy  meshproof-in-pod-proxy/1.0/Clean/RELEASE/BoringSSL';

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseEnvoyArgs(argv);
  if (args.version) {
    process.stdout.write(`\n${VERSION_LINE}\n\n`);
    return 0;
  }
  if (!args.config) {
    process.stderr.write('envoy (meshproof in-pod proxy): -c <bootstrap> is required\n');
    return 1;
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} meshproof-proxy ${line}\n`);
  const raw = JSON.parse(readFileSync(args.config, 'utf8')) as Record<string, unknown>;
  // ISTIO_BOOTSTRAP_OVERRIDE: Envoy merges it over the file; the fields read here are top-level sections.
  if (args.configOverride) Object.assign(raw, parse(args.configOverride) as object);
  const bootstrap = readBootstrap(raw, args.config, process.cwd());
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  const proxy = new InPodProxy({
    bootstrap,
    raw,
    types: xdsTypes(process.env.MESHPROOF_XDS_DESCRIPTORS || DEFAULT_DESCRIPTORS),
    seed: Number(process.env.MESHPROOF_SEED) || Date.now() % 2 ** 31,
    onQuit: () => quit(),
    log,
  });
  process.once('SIGTERM', () => quit());
  process.once('SIGINT', () => quit());
  await proxy.start();
  log(`serving as ${bootstrap.role} ${String(bootstrap.node.id)}; xDS through ${bootstrap.xdsSocket}`);
  await quitting;
  await proxy.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`envoy (meshproof in-pod proxy): ${err.message}\n`);
    process.exit(1);
  },
);
