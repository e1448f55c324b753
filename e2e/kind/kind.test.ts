/**
 * The kind target for real, on one cluster created once, in order: the tutorial from nothing (the
 * cluster created, Istio installed, Bookinfo deployed, settling read through the real istioctl),
 * every shipped plan's verdicts on the reused cluster, SIGINT in the middle of a step, `doctor` on
 * this machine, and `down` last (no kind container left, the host's sysctls as they were). Runs on
 * what `npm run kind:build` made (MESHPROOF_KIND_IMAGES=local): nothing is pulled.
 */
import { announce } from './kind-env.js';
import './tutorial.suite.js';
import './plans.suite.js';
import './interrupt.suite.js';
import './doctor-down.suite.js';

announce();
