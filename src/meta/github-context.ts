/** Reads the GitHub Actions event payload (GITHUB_EVENT_PATH). The only I/O of the workflow context. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { contextFromWorkflow, type MetaContext, type WorkflowOptions } from './context.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function readEventPayload(env: Env): Promise<Record<string, unknown>> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) {
    throw new UsageError('missing event payload: GITHUB_EVENT_PATH is not set', {
      hint: 'GitHub Actions sets it; elsewhere point it at the event JSON, or run without GITHUB_* variables to use the local git checkout',
    });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `missing event payload: cannot read GITHUB_EVENT_PATH ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { hint: 'GITHUB_EVENT_PATH must name the event JSON file of the workflow run' },
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`invalid event payload in ${path}: ${(err as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UsageError(`invalid event payload in ${path}: not a JSON object`);
  }
  return payload as Record<string, unknown>;
}

/** The context of the current GitHub Actions run. */
export async function workflowContext(env: Env, opts: WorkflowOptions = {}): Promise<MetaContext> {
  return contextFromWorkflow(env, await readEventPayload(env), opts);
}
