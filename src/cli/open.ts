import { $ } from 'zx';
import type { SessionIO } from '../runner/session.js';

/** Opens a file with the desktop's handler; says where it is when there is none. */
export async function openInBrowser(file: string, io: SessionIO): Promise<void> {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const r = await $({ nothrow: true, quiet: true })`${opener} ${file}`;
  if (r.exitCode !== 0) io.stderr.write(`could not open a browser (${opener}); the report is at ${file}\n`);
}
