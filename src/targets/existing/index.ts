/** The existing-cluster target. */
export { ExistingTarget, type ExistingTargetOptions } from './existing-target.js';
