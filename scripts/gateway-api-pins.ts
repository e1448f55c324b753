#!/usr/bin/env -S npx tsx
/**
 * Prints the pinned-file table of src/istio/install/gateway-api-pins.ts for a Gateway API release: Go
 * downloads the module `sigs.k8s.io/gateway-api@VERSION` (checked against the Go checksum
 * database), and each file of `config/crd/standard/` named by its kustomization is hashed.
 * Usage: npx tsx scripts/gateway-api-pins.ts v1.6.0
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { $ } from 'zx';
import { parse } from 'yaml';

const version = process.argv[2];
if (!version || !/^v\d+\.\d+\.\d+$/.test(version)) {
  console.error('usage: npx tsx scripts/gateway-api-pins.ts vX.Y.Z');
  process.exit(2);
}
const info = JSON.parse(
  (await $({ quiet: true })`go mod download -json ${`sigs.k8s.io/gateway-api@${version}`}`).stdout,
) as { Dir: string; Sum: string };
const crdDir = join(info.Dir, 'config', 'crd');
const kustomization = parse(await readFile(join(crdDir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
console.log(`  // sigs.k8s.io/gateway-api@${version}, module hash ${info.Sum}`);
console.log(`  '${version}': [`);
for (const r of kustomization.resources.filter((x) => x.startsWith('standard/'))) {
  const digest = createHash('sha256')
    .update(await readFile(join(crdDir, r)))
    .digest('hex');
  console.log(`    { file: '${r.slice('standard/'.length)}', sha256: '${digest}' },`);
}
console.log('  ],');
