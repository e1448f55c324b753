/** The kind target and what `--target auto` and `meshproof doctor` need from it. */
export { KindTarget, type KindTargetOptions, type KindTimeouts } from './kind-target.js';
export { dockerUsable, dockerState, type DockerInfo, type DockerState } from './docker.js';
export { kindUsable, portFree } from './preflight.js';
export { doctor, doctorReady, formatDoctor, type DoctorCheck, type DoctorOptions } from './doctor.js';
export { DEFAULT_CLUSTER_NAME, DEFAULT_HOST_PORT } from './kind-config.js';
export { DEFAULT_CACHE_DIR } from './cache.js';
