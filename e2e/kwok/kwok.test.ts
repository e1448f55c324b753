/**
 * The kwok suites share one control plane (and one target in this process) on this machine, so
 * they run in one file, in order: the cluster code against it from nothing, every shipped plan's
 * verdicts, the translation held to istiod's, a control plane broken mid-step (which leaves one
 * running again), and `down` last.
 */
import { announce } from './kwok-env.js';
import './control-plane.suite.js';
import './plans.suite.js';
import './translation.suite.js';
import './environment-failure.suite.js';
import './down.suite.js';

announce();
