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
  Policy: 9,
  MissingTool: 10,
  FileSystem: 11,
  /**
   * Incomplete: part of the work was skipped. `validate`: the static checks passed but the runtime
   * checks could not run (no docker/podman). `clean`: items were refused because they changed
   * since the plan was made.
   */
  Incomplete: 12,
  /** `build`: a service failed to build or push (the others finished). */
  BuildFailed: 13,
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

/** A gate failed (analysis thresholds, vulnerability policy): the command worked, the image did not pass. */
export class PolicyError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Policy;
  readonly kind = 'policy';
}

/** An external program the command needs (trivy, buildah, …) is not installed. */
export class MissingToolError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.MissingTool;
  readonly kind = 'missing-tool';
}

/** Reading or writing a local file failed: permissions, a full disk, a path that is not a directory. */
export class FileSystemError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.FileSystem;
  readonly kind = 'filesystem';
}

const FS_REASONS: Record<string, [string, string]> = {
  ENOSPC: [
    'no space left on the device',
    'free some space (or pick another --output / --cache) and run again: finished parts are kept',
  ],
  EDQUOT: ['disk quota exceeded', 'free some space and run again'],
  EACCES: ['permission denied', 'check the permissions of the path, or choose another location'],
  EPERM: ['operation not permitted', 'check the permissions of the path, or choose another location'],
  EROFS: ['read-only file system', 'choose a writable location'],
  ENOTDIR: ['a part of the path is not a directory', 'check the path'],
  EISDIR: ['it is a directory', 'give a file path'],
  ENOENT: ['no such file or directory', 'check the path'],
  EEXIST: ['it already exists', 'remove it or choose another path'],
};

/** Turns a Node system error carrying a path into a FileSystemError; anything else is returned as is. */
export function fileSystemError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string') return err;
  const reason = FS_REASONS[e.code];
  // A path-less error is only ours to explain when it is about space: write streams drop the path.
  if (!reason || (typeof e.path !== 'string' && e.code !== 'ENOSPC' && e.code !== 'EDQUOT')) return err;
  const where = typeof e.path === 'string' ? ` ${e.path}` : '';
  return new FileSystemError(`cannot ${e.syscall ?? 'write'}${where}: ${reason[0]} (${e.code})`, {
    hint: reason[1],
    cause: err,
  });
}

export class CancelledError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Interrupted;
  readonly kind = 'cancelled';
}

export function isGhcrOptimizeError(e: unknown): e is GhcrOptimizeError {
  return e instanceof GhcrOptimizeError;
}
