export { KwokTarget, NO_DATA_PLANE, type KwokTargetOptions } from './kwok-target.js';
