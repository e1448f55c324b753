/**
 * `--weights v1=80,v3=20`: the split `meshproof verify` expects, in whole percent summing to 100. Parsed here, once,
 * so the command line and `meshproof serve` refuse the same inputs with the same words.
 */

/** A version name as the plans' splits allow it: what a label value or a Host's subset may be called. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The split, or the problem in words. Versions at 0 % are left out: not listed already means expected at 0 %. */
export function parseWeights(raw: string): { split: Record<string, number> } | { problem: string } {
  const split: Record<string, number> = {};
  const parts = raw.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^([^=\s]+)=(\d{1,3})$/.exec(part);
    if (!m) return { problem: `"${part}" is not VERSION=PERCENT (as in v1=80,v3=20)` };
    const [, name, pct] = m as unknown as [string, string, string];
    if (!VERSION_NAME.test(name)) return { problem: `"${name}" is not a version name (letters, digits, . _ -)` };
    if (name in split) return { problem: `${name} is given twice` };
    const n = Number(pct);
    if (n > 100) return { problem: `${name}=${n}: a share is at most 100` };
    split[name] = n;
  }
  const sum = Object.values(split).reduce((a, b) => a + b, 0);
  if (sum !== 100) return { problem: `the shares sum to ${sum}, not 100 ("${raw}")` };
  return { split: Object.fromEntries(Object.entries(split).filter(([, n]) => n > 0)) };
}

/** `v1=80,v3=20`: a split as the flag writes it, for messages. */
export function formatWeights(split: Record<string, number>): string {
  return Object.entries(split)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
