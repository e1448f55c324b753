#!/usr/bin/env node
// The `meshproof` command: bundled to dist/meshproof.js for the package, run from source through
// tsx by bin/meshproof.js in a clone.
import * as nodeModule from 'node:module';
import { setFlagsFromString } from 'node:v8';

// Node 22.1 and later keep the compiled code of the modules loaded (in the temporary folder, keyed by
// file contents) when asked to, so later runs skip compiling them; older Node lacks it.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// A run allocates fast and keeps little (~40 MB live with the local mesh in this process); V8
// would let the heap grow to up to four times the live set between full collections. A growth of
// 30 % keeps a 100,000-request run under 200 MB at a few per cent of speed. It sets no ceiling:
// a larger live set still gets all the memory it needs. V8 reads this flag each time it sizes the
// heap, so setting it here, before anything is loaded, takes effect for the whole run.
// MESHPROOF_HEAP_GROWTH_PERCENT=0 gives V8's own choice back.
const growth = process.env.MESHPROOF_HEAP_GROWTH_PERCENT ?? '';
setFlagsFromString(`--heap-growing-percent=${/^\d+$/.test(growth) ? growth : 30}`);

const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
