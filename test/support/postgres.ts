/**
 * A throwaway PostgreSQL server for tests (TESTING.md §11): a cluster in a temp dir, listening on
 * 127.0.0.1 only, on a port picked by binding port 0, with password authentication over TCP (so
 * store URLs carry a password, as real ones do). As root the server runs as the `postgres` user
 * (`runuser -u postgres --`), since PostgreSQL refuses to run as root.
 *
 * `pg_ctl start` daemonises the server, so the usual child tracking cannot stop it if the test
 * process dies. A small detached watchdog does: it waits for its stdin pipe (held by the test
 * process) to close, then kills the postmaster and removes the data directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { makeTempDir, removeTempDir } from './lifecycle.js';
import { whichTool } from './tools.js';

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/DATABASE */
  url(database?: string): string;
  /** Creates a fresh database (default: a random name) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Last lines of the server log. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

let binDirCache: string | null | undefined;

/** Directory holding initdb/pg_ctl/postgres: $PG_BIN, Debian's /usr/lib/postgresql/N/bin (newest), or PATH. */
export function postgresBinDir(): string | undefined {
  if (binDirCache !== undefined) return binDirCache ?? undefined;
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // Not Debian's layout.
  }
  const onPath = whichTool('pg_ctl');
  if (onPath) candidates.push(join(onPath, '..'));
  binDirCache =
    candidates.find((d) => ['initdb', 'pg_ctl', 'postgres'].every((t) => existsSync(join(d, t)))) ?? null;
  return binDirCache ?? undefined;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * True when a PostgreSQL server can be started here. Like requireTool: with CI=true a missing
 * PostgreSQL is a broken machine and throws; locally the PostgreSQL suites are skipped.
 */
export function requirePostgres(): boolean {
  const problem =
    postgresBinDir() === undefined
      ? 'PostgreSQL server binaries (initdb, pg_ctl) are not installed'
      : isRoot() && !whichTool('runuser')
        ? 'runuser is missing (needed to run PostgreSQL as the postgres user)'
        : isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0
          ? 'there is no "postgres" user to run PostgreSQL as'
          : undefined;
  if (problem === undefined) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${problem} (CI=true): install the Debian package "postgresql" in .ci/run`);
  }
  return false;
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** argv for running a PostgreSQL binary as the right user. */
function asPostgres(bin: string, args: string[]): string[] {
  const exe = join(postgresBinDir()!, bin);
  return isRoot() ? ['runuser', '-u', 'postgres', '--', exe, ...args] : [exe, ...args];
}

function run(
  argv: string[],
  cwd: string,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A port that was free a moment ago (bind 0, read, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

const WATCHDOG = `
const fs = require('node:fs');
const [pid, dir] = process.argv.slice(1);
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
const isPostgres = (p) => { try { return fs.readFileSync('/proc/' + p + '/comm', 'utf8').trim() === 'postgres'; } catch { return true; } };
let done = false;
const finish = async () => {
  if (done) return;
  done = true;
  const p = Number(pid);
  if (p > 0 && alive(p) && isPostgres(p)) {
    try { process.kill(p, 'SIGQUIT'); } catch {}
    for (let i = 0; i < 50 && alive(p); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(p)) try { process.kill(p, 'SIGKILL'); } catch {}
  }
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch {}
  process.exit(0);
};
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.on('end', finish);
process.stdin.on('close', finish);
process.stdin.on('error', finish);
process.stdin.resume();
`;

export async function startPostgres(): Promise<RunningPostgres> {
  if (!postgresBinDir()) throw new Error('PostgreSQL is not installed (see requirePostgres)');
  const dir = makeTempDir('ghcr-optimize-pg');
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const init = await run(
    asPostgres('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--pwfile',
      pwfile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]),
    dir,
  );
  if (init.code !== 0) {
    removeTempDir(dir);
    throw new Error(`initdb failed (${init.code}):\n${init.output}`);
  }

  let port = 0;
  let started = false;
  let lastOutput = '';
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const opts = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      // A test server: durability is not the point, speed is.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    const r = await run(
      asPostgres('pg_ctl', ['-D', data, '-l', log, '-o', opts, '-w', '-t', '30', 'start']),
      dir,
    );
    started = r.code === 0;
    lastOutput = r.output;
  }
  if (!started) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
    removeTempDir(dir);
    throw new Error(`pg_ctl start failed:\n${lastOutput}\n${tail}`);
  }

  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(pid), dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();

  const url = (database = 'postgres'): string =>
    `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let stopped = false;
  return {
    host: `127.0.0.1:${port}`,
    port,
    user: 'postgres',
    password,
    url,
    async createDatabase(name = `ghcr_test_${randomBytes(6).toString('hex')}`) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    logTail(lines = 30) {
      try {
        return readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']), dir).catch(
        () => undefined,
      );
      // The watchdog makes sure (and exits): the postmaster is gone and the directory too.
      await new Promise<void>((resolve) => {
        watchdog.ref(); // wait for it, even when nothing else keeps the process alive
        watchdog.once('exit', () => resolve());
        if (watchdog.exitCode !== null || watchdog.signalCode !== null) resolve();
        watchdog.stdin?.end();
      });
      removeTempDir(dir);
    },
  };
}
