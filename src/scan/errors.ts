/**
 * Scan failures with their own exit codes. Local until the project defines them centrally:
 * 10 "required tool missing" is proposed for src/errors.ts (`ExitCode.MissingTool`).
 */
import { ExitCode, GhcrOptimizeError, type ErrorDetails } from '../errors.js';

/** Proposed central exit code: an external program the command needs is not installed. */
export const EXIT_TOOL_MISSING = 10;

/** `trivy` (or another external tool) is not on PATH. */
export class ToolMissingError extends GhcrOptimizeError {
  readonly exitCode = EXIT_TOOL_MISSING as ExitCode;
  readonly kind = 'missing-tool';
  constructor(
    readonly tool: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** The external tool ran and failed (non-zero exit, or no usable output). */
export class ToolFailedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Failure;
  readonly kind = 'tool-failed';
}

/**
 * Findings remain after the policy and `--exit-code N` asked to fail: the exit code is N, as with
 * `trivy --exit-code N`. Only thrown for N > 0.
 */
export class ScanGateError extends GhcrOptimizeError {
  readonly exitCode: ExitCode;
  readonly kind = 'scan-gate';
  constructor(message: string, exitCode: number, details: ErrorDetails = {}) {
    super(message, details);
    this.exitCode = exitCode as ExitCode;
  }
}
