import { ExitCode, GhcrOptimizeError } from '../errors.js';

/** One or more services failed to build or push; the others finished. */
export class BuildFailedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.BuildFailed;
  readonly kind = 'build-failed';
}
