/** Plan limits the command line checks too, apart from schema.ts so that parsing flags loads no schema library. */

/**
 * Most requests one expectation keeps in flight: past this a run stops measuring the mesh and
 * starts measuring the client (and a budget of a few hundred requests would leave all at once,
 * before the first answer could stop the check). The README states the bound.
 */
export const MAX_CONCURRENCY = 256;
