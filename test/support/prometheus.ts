/**
 * A real Prometheus for tests: started on a free 127.0.0.1 port with a given config file, its own
 * temp TSDB, and an HTTP API client for instant queries. Killed with the test process if need be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, removeTempDir, stopChild, trackChild } from './lifecycle.js';
import { listenLocal, closeServer } from './net.js';
import { whichTool } from './tools.js';

export interface QueryResult {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value?: [number, string] }[] };
}

export interface RunningPrometheus {
  url: string;
  port: number;
  query(expr: string): Promise<QueryResult>;
  /** Waits (up to `timeoutMs`) until `expr` returns at least one series. */
  waitFor(expr: string, timeoutMs?: number): Promise<QueryResult>;
  logTail(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago (Prometheus cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  const { port } = await listenLocal(server);
  await closeServer(server);
  return port;
}

export async function startPrometheus(configFile: string): Promise<RunningPrometheus> {
  const binary = whichTool('prometheus');
  if (!binary) throw new Error('prometheus is not installed (guard the suite with requireTool)');
  const dir = makeTempDir('ghcr-opt-prometheus');
  const log = join(dir, 'prometheus.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(log, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', fd, fd] },
    );
  } finally {
    closeSync(fd);
  }
  trackChild(child);
  const tail = (): string => {
    try {
      return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stop = async (): Promise<void> => {
    await stopChild(child);
    removeTempDir(dir);
  };
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode})\n${tail()}`);
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`prometheus did not become ready\n${tail()}`);
      await sleep(50);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const query = async (expr: string): Promise<QueryResult> => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
    return (await res.json()) as QueryResult;
  };
  return {
    url,
    port,
    query,
    async waitFor(expr, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await query(expr);
        if (r.status === 'success' && (r.data?.result.length ?? 0) > 0) return r;
        if (Date.now() > deadline)
          throw new Error(`no data for ${expr} (last: ${JSON.stringify(r)})\n${tail()}`);
        await sleep(200);
      }
    },
    logTail: tail,
    stop,
  };
}
