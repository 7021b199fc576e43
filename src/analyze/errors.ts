/**
 * The failure analysis adds: a quality gate (`analyze --ci`, `lint --exit-level`) failed. It is
 * the project-wide PolicyError (exit code 9), re-exported so analysis code has one import.
 */
import { ExitCode } from '../errors.js';

export { PolicyError } from '../errors.js';

/** Exit code of a failed gate (dive's CI rules, lint's --exit-level). */
export const POLICY_EXIT_CODE = ExitCode.Policy;
