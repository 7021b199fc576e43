/**
 * `command -v` for the programs we run (trivy, zstd, docker-credential-*): resolved through the
 * given environment's PATH so the caller's environment decides what runs, and a missing program
 * is a clear error of ours rather than a spawn ENOENT. Relative and empty PATH entries are
 * skipped: never run a program from whatever directory we happen to be in.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function candidates(name: string, env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((d) => isAbsolute(d));
  const exts = process.platform === 'win32' ? ['.exe', ...(env.PATHEXT ?? '.CMD;.BAT').split(';'), ''] : [''];
  return dirs.flatMap((dir) => exts.map((ext) => join(dir, name + ext)));
}

/** The first executable file `name` on PATH, or undefined. */
export function findProgram(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const candidate of candidates(name, env)) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}
