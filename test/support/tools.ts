import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

/** Absolute path of an executable on PATH, or undefined. */
export function whichTool(name: string): string | undefined {
  if (found.has(name)) return found.get(name);
  let hit: string | undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      hit = candidate;
      break;
    } catch {
      // Not in this PATH entry; keep looking.
    }
  }
  found.set(name, hit);
  return hit;
}

/**
 * True when `name` is on PATH. In CI a missing tool is a broken machine, not a reason to skip, so it
 * throws there; locally it returns false so suites can `describe.skipIf(!requireTool('skopeo'))`.
 */
export function requireTool(name: string): boolean {
  if (whichTool(name) !== undefined) return true;
  if (process.env.CI === 'true') {
    throw new Error(`required tool '${name}' is not installed (CI=true): install it in .ci/run`);
  }
  return false;
}
