/**
 * The machine's meshproof folder, shared by every clone and checkout on this machine: the kind
 * build's content-keyed artefacts (kind-build/, safe to share because every part is keyed by its
 * inputs) and what meshproof records about the host so it can undo it (host/: the dockerd it
 * started, the sysctls to put back). Both are about the machine, not a project folder, so a second
 * clone neither rebuilds the node image nor loses track of a dockerd the first one started.
 * `MESHPROOF_MACHINE_CACHE` moves it; the default is `~/.cache/meshproof`.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function machineDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.MESHPROOF_MACHINE_CACHE || join(homedir(), '.cache', 'meshproof'));
}

/** Where the host records live: dockerd.json, host-before-<cluster>.json, the installed runc-capfilter. */
export function hostStateDir(dir: string = machineDir()): string {
  return join(resolve(dir), 'host');
}
