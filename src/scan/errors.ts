/**
 * Scan failures beyond the central ones. A missing trivy is the central MissingToolError
 * (exit code 10, "required tool missing").
 */
import { ExitCode, GhcrOptimizeError, type ErrorDetails } from '../errors.js';

export { MissingToolError } from '../errors.js';

/** The external tool ran and failed (non-zero exit, or no usable output). */
export class ToolFailedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Failure;
  readonly kind = 'tool-failed';
}

/**
 * Findings remain after the policy and `--exit-code N` asked to fail: the exit code is N, as with
 * `trivy --exit-code N` (so not PolicyError's fixed 9). Only thrown for N > 0.
 */
export class ScanGateError extends GhcrOptimizeError {
  readonly exitCode: ExitCode;
  readonly kind = 'policy';
  constructor(message: string, exitCode: number, details: ErrorDetails = {}) {
    super(message, details);
    this.exitCode = exitCode as ExitCode;
  }
}
