/**
 * The kwok suites share one control plane on this machine, so they run in one file, in order: the
 * cluster code against it (from nothing to `down`), then the translation held to istiod's (which
 * starts its own and stops it).
 */
import { announce } from './kwok-env.js';
import './control-plane.suite.js';
import './translation.suite.js';

announce();
