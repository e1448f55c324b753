import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root: where plans/, manifests/ and reports/ live. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const paths = {
  plans: join(projectRoot, 'plans'),
  manifests: join(projectRoot, 'manifests'),
  reports: join(projectRoot, 'reports'),
  cache: join(projectRoot, '.cache', 'meshproof'),
  /** Manifests that make the base environment on targets that deploy Bookinfo. */
  base: [
    join(projectRoot, 'manifests', 'bookinfo', 'bookinfo.yaml'),
    join(projectRoot, 'manifests', 'istio', 'bookinfo-gateway.yaml'),
  ],
};
