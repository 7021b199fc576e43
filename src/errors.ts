/**
 * Typed failures. Every error a user can cause or meet carries a one-line message, a hint and the
 * exit code the CLI documents, so the CLI never has to guess and never prints a stack trace.
 */

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Auth: 3,
  NotFound: 4,
  Network: 5,
  Protocol: 6,
  Unhealthy: 7,
  Integrity: 8,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
}

export abstract class GhcrOptimizeError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Stable machine-readable kind, used in `--json` error output. */
  abstract readonly kind: string;
  readonly hint: string | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
  }
}

/** The user typed something we cannot accept (a reference, a flag value, a file). */
export class UsageError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Usage;
  readonly kind = 'usage';
}

/** A reference string is malformed; `part` names which component is wrong. */
export class ReferenceError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Usage;
  readonly kind = 'invalid-reference';
  constructor(
    readonly input: string,
    readonly part: string,
    reason: string,
    details: ErrorDetails = {},
  ) {
    super(`invalid reference "${input}": ${part} ${reason}`, details);
  }
}

/** 401/403 or a token endpoint refusing us. `scope` is what the registry said was missing. */
export class AuthError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Auth;
  readonly kind = 'auth';
  constructor(
    message: string,
    readonly status?: number,
    readonly scope?: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

export class NotFoundError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.NotFound;
  readonly kind = 'not-found';
}

/** DNS, connection refused, TLS, timeouts: we never got an HTTP answer. */
export class NetworkError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Network;
  readonly kind = 'network';
}

/** The server answered, but not as an OCI registry should (bad JSON, wrong status, not a registry). */
export class ProtocolError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Protocol;
  readonly kind = 'protocol';
}

/**
 * A registry error response (`{"errors":[{code,message,detail}]}`) that is not better described
 * by one of the classes above. `code` is the OCI error code when the body had one.
 */
export class RegistryError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Protocol;
  readonly kind = 'registry';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** Content did not match its digest or size, or exceeded a safety limit. Nothing was kept. */
export class IntegrityError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Integrity;
  readonly kind = 'integrity';
}

export class UnhealthyError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Unhealthy;
  readonly kind = 'unhealthy';
}

export class CancelledError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Interrupted;
  readonly kind = 'cancelled';
}

export function isGhcrOptimizeError(e: unknown): e is GhcrOptimizeError {
  return e instanceof GhcrOptimizeError;
}
