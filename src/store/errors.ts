/**
 * Store failures, mapped to the CLI's exit codes: a database that cannot be reached is a network
 * failure (5), a refused login an authentication failure (3), a missing database "not found" (4),
 * an unwritable or corrupt SQLite file a local file system failure (11).
 */
import {
  ExitCode,
  GhcrOptimizeError,
  fileSystemError,
  isGhcrOptimizeError,
  type ErrorDetails,
} from '../errors.js';

export class StoreError extends GhcrOptimizeError {
  readonly kind = 'store';
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, details: ErrorDetails = {}) {
    super(message, details);
    this.exitCode = exitCode;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Turns a driver error (pg, better-sqlite3, node) into a StoreError naming `where`. */
export function storeError(err: unknown, where: string): GhcrOptimizeError {
  if (isGhcrOptimizeError(err)) return err;
  // Creating the SQLite directory: the project's file system errors (exit 11) say it best.
  const fsError = fileSystemError(err);
  if (isGhcrOptimizeError(fsError)) return fsError;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  // A connection string might appear in a driver message: never print a password.
  const message = raw.replace(/(\/\/[^/:@\s]*):[^@/\s]*@/g, '$1@').split('\n')[0] ?? raw;
  const fail = (exit: ExitCode, text: string, hint: string): StoreError =>
    new StoreError(`insights store ${where}: ${text}`, exit, { hint, cause: err });

  if (code !== undefined && NETWORK_CODES.has(code))
    return fail(
      ExitCode.Network,
      `cannot connect (${code})`,
      'check store.url / GHCR_OPTIMIZE_STORE_URL and that the database server is running',
    );
  if (/timeout|timed out|Connection terminated/i.test(message) && code === undefined)
    return fail(ExitCode.Network, message, 'check that the database server is reachable from here');
  // PostgreSQL SQLSTATEs.
  if (code === '28P01' || code === '28000')
    return fail(ExitCode.Auth, message, 'check the user and password in the store URL');
  if (code === '3D000')
    return fail(
      ExitCode.NotFound,
      message,
      'create the database first (createdb NAME), or fix the name in the store URL',
    );
  if (code === '42501')
    return fail(
      ExitCode.Auth,
      message,
      'the database user needs CREATE on the schema (for the first migration), INSERT/SELECT/DELETE on the tables',
    );
  if (code === '57P03' || code === '53300')
    return fail(ExitCode.Network, message, 'the database server is starting up or full: retry later');
  // SQLite.
  if (
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_READONLY' ||
    code === 'SQLITE_IOERR' ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM'
  )
    return fail(
      ExitCode.FileSystem,
      `${message} (${code})`,
      'check that the directory is writable and has free space, or set store.url',
    );
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return fail(
      ExitCode.FileSystem,
      `${message} (${code})`,
      'the file is not a usable SQLite database: move it away and run again (a new store is created)',
    );
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return fail(
      ExitCode.FileSystem,
      `${message} (${code})`,
      'another process holds the database (a long write or a stuck process): retry, or share a PostgreSQL store (store.url) between concurrent jobs',
    );
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR')
    return fail(
      ExitCode.FileSystem,
      `${message}`,
      'check the permissions of the store directory, or set store.url',
    );
  return fail(ExitCode.Failure, message, 'run again with --debug for details');
}
