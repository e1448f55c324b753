/**
 * The in-pod programs of the kind images as single files: the proxy that plays Envoy's part
 * (`envoy.cjs`) and the Bookinfo stand-in apps (`app.cjs`), each bundled with its dependencies by
 * esbuild so an image needs Node alone, no node_modules. CommonJS output: grpc-js and undici
 * `require` Node's built-ins, which an ESM bundle cannot do without a shim. The output is
 * deterministic, so its bytes are a content-key input of the images.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { projectRoot } from '../../../core/paths.js';

export const IN_POD_ENTRIES = {
  envoy: 'src/mesh/in-pod/envoy-main.ts',
  app: 'src/mesh/in-pod/app-main.ts',
} as const;

/** Writes `<name>.cjs` for each entry into `outDir`; returns the paths by entry name. */
export async function bundleInPodEntries(outDir: string): Promise<Record<keyof typeof IN_POD_ENTRIES, string>> {
  const entryPoints = Object.fromEntries(
    Object.entries(IN_POD_ENTRIES).map(([name, file]) => [name, join(projectRoot, file)]),
  );
  const r = await build({
    entryPoints,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: outDir,
    outExtension: { '.js': '.cjs' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  if (r.errors.length) throw new Error(`bundling the in-pod programs: ${r.errors.map((e) => e.text).join('; ')}`);
  return { envoy: join(outDir, 'envoy.cjs'), app: join(outDir, 'app.cjs') };
}
