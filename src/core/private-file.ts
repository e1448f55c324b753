/**
 * Files that hold a credential (a token, a private key, a kubeconfig, a record that carries one):
 * readable by their owner only, whatever the file was before. Written to a new file with mode 0600
 * and renamed over the old one, so the mode holds even where an older file was 0644, and a reader
 * never sees half a file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

export const PRIVATE_MODE = 0o600;

export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempName(file);
  try {
    await writeFile(tmp, data, { mode: PRIVATE_MODE, flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The same, synchronously: for a process that is exiting and can no longer wait. */
export function writePrivateFileSync(file: string, data: string): void {
  const tmp = tempName(file);
  try {
    const fd = openSync(tmp, 'wx', PRIVATE_MODE);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
}
