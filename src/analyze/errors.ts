/**
 * The one failure kind analysis adds: a quality gate (`analyze --ci`, `lint --exit-level`) failed.
 * Exit code 9 is not in `ExitCode` yet; this class stays local until src/errors.ts grows a
 * shared `PolicyError`, and then becomes a re-export of it.
 */
import { GhcrOptimizeError, type ErrorDetails, type ExitCode } from '../errors.js';

/** Exit code of a failed gate (dive's CI rules, lint's --exit-level). */
export const POLICY_EXIT_CODE = 9;

export class PolicyError extends GhcrOptimizeError {
  readonly exitCode = POLICY_EXIT_CODE as number as ExitCode;
  readonly kind = 'policy';
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details);
  }
}
