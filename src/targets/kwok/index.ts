export { KwokTarget, DATA_PLANE_SIMULATED, type KwokTargetOptions } from './kwok-target.js';
