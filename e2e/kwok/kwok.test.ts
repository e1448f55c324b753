/**
 * The kwok suites share one control plane (and one target in this process) on this machine, so
 * they run in one file, in order: a run killed with SIGKILL and the run that takes over after it,
 * the cluster code against it from nothing, sharing the cluster and its control plane dying under
 * it, every shipped plan's verdicts, plans of your own services on the echo stand-in (and the
 * existing target against this cluster), the translation held to istiod's, `verify` against a 50/50
 * in place, a control plane broken mid-step (which leaves one running again), and `down` last.
 */
import { announce } from './kwok-env.js';
import './killed.suite.js';
import './control-plane.suite.js';
import './sharing.suite.js';
import './plans.suite.js';
import './own-services.suite.js';
import './translation.suite.js';
import './verify.suite.js';
import './environment-failure.suite.js';
import './down.suite.js';

announce();
