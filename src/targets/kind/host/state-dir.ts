/**
 * Where meshproof records what it did to the host so it can undo it: the dockerd it started, host state to put back.
 */
import { join, resolve } from 'node:path';

export function hostStateDir(cacheDir: string): string {
  return join(resolve(cacheDir), 'host');
}
