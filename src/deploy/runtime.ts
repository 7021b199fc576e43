/**
 * The container runtime `validate` starts images with: docker, else podman — only when its daemon
 * (or podman itself) answers, since an installed CLI without a daemon cannot run anything.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Runtime {
  name: 'docker' | 'podman';
}

export async function detectRuntime(
  candidates: readonly Runtime['name'][] = ['docker', 'podman'],
): Promise<Runtime | undefined> {
  for (const name of candidates) {
    try {
      await run(name, ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
      return { name };
    } catch {
      // Not installed, or installed without a reachable daemon: try the next one.
    }
  }
  return undefined;
}

/** `run` arguments: detached, removed on exit, the port published on loopback only. */
export function runArgs(
  image: string,
  port: number | undefined,
  env: Readonly<Record<string, string>>,
  name: string,
): string[] {
  return [
    'run',
    '--detach',
    '--rm',
    '--name',
    name,
    ...(port !== undefined ? ['--publish', `127.0.0.1::${port}`] : []),
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    image,
  ];
}

/** `docker port` prints `127.0.0.1:49153` (one line per binding). */
export function parsePortOutput(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^127\.0\.0\.1:(\d+)\s*$/.exec(line.trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}

export interface Container {
  hostPort?: number;
  stop(): Promise<void>;
}

export async function startContainer(
  rt: Runtime,
  image: string,
  port: number | undefined,
  env: Readonly<Record<string, string>>,
  name: string,
): Promise<Container> {
  await run(rt.name, runArgs(image, port, env, name), { timeout: 300_000 });
  const stop = async (): Promise<void> => {
    await run(rt.name, ['rm', '--force', name], { timeout: 60_000 }).catch(() => undefined);
  };
  if (port === undefined) return { stop };
  try {
    const { stdout } = await run(rt.name, ['port', name, `${port}/tcp`], { timeout: 30_000 });
    const hostPort = parsePortOutput(stdout);
    return hostPort === undefined ? { stop } : { hostPort, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
