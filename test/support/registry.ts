import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { tlsCert } from './certs.js';
import { makeTempDir, removeTempDir, stopChild, trackChild } from './lifecycle.js';
import { startStaticServer } from './static-server.js';
import type { StaticServer } from './static-server.js';
import { startTokenServer } from './token-server.js';
import type { TokenGrants, TokenServer } from './token-server.js';
import { whichTool } from './tools.js';

export interface RegistryOptions {
  auth?: 'htpasswd' | 'token';
  /** username → password for htpasswd or the token server; default DEFAULT_USERS when auth is set. */
  users?: Record<string, string>;
  tls?: boolean;
  /** Redirect blob GETs (307) to a static server on another origin, like GHCR's blob storage. */
  redirect?: boolean;
  /** Token mode: per-user grants (default: users get what they ask, anonymous only pull). */
  tokenGrants?: TokenGrants;
  /** Token mode: token lifetime in seconds. */
  tokenExpiresIn?: number;
  /** Serve an existing storage root (e.g. another registry's dataDir); it is not deleted on stop. */
  storageDir?: string;
  /** How long to wait for `/v2/` to answer; default 10 s. */
  startTimeoutMs?: number;
}

export interface RunningRegistry {
  /** http(s)://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  port: number;
  /** Storage root (rootdirectory); blobs live under docker/registry/v2/blobs. */
  dataDir: string;
  /** PEM file of the self-signed cert (its own CA) when tls. */
  caFile?: string;
  caPem?: string;
  /** The credentials the registry (or its token server) accepts. */
  users: Record<string, string>;
  tokenServer?: TokenServer;
  redirectServer?: StaticServer;
  pid: number;
  /** Last lines of the registry's log (warn level and above). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export const DEFAULT_USERS: Readonly<Record<string, string>> = { testuser: 'testpass' };

/** Credentials in the `username`/`password` shape pushImage and skopeo helpers take. */
export function credsOf(registry: RunningRegistry, user?: string): { username: string; password: string } {
  const username = user ?? Object.keys(registry.users)[0];
  const password = username === undefined ? undefined : registry.users[username];
  if (username === undefined || password === undefined) throw new Error('registry has no such user');
  return { username, password };
}

async function htpasswdFile(file: string, users: Record<string, string>): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    // -i: password on stdin, so it never shows up in a process list; -n: print instead of editing a file.
    const line = await new Promise<string>((resolve, reject) => {
      const child = spawn('htpasswd', ['-niB', user], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(out.trim()) : reject(new Error(`htpasswd exited ${code}: ${err.trim()}`)),
      );
      child.stdin.end(password);
    });
    lines.push(line);
  }
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/**
 * Port of a LISTEN socket on 127.0.0.1 owned by `pid`, from /proc. The registry only logs its address at
 * info level, and we run it at warn to keep test output quiet.
 */
async function listeningPort(pid: number): Promise<number | undefined> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // exited; the caller sees it
    throw err;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return ''; // fd closed between readdir and readlink
      throw err;
    });
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  const table = await readFile(`/proc/${pid}/net/tcp`, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return ''; // exited meanwhile; the caller sees it
    throw err;
  });
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // f[1] = local "HEXIP:HEXPORT", f[3] = state (0A = LISTEN), f[9] = inode
    if (f[3] !== '0A' || f[9] === undefined || !inodes.has(f[9])) continue;
    const [ip, port] = (f[1] ?? '').split(':');
    if (ip === '0100007F' && port) return parseInt(port, 16);
  }
  return undefined;
}

/** Status of GET url, or the connection error. */
function probe(url: string, ca?: string): Promise<number | Error> {
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', timeout: 1000, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', (err) => resolve(err));
    req.end();
  });
}

function tailOf(file: string, lines = 30): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Start a real CNCF distribution registry on 127.0.0.1:<random port> with its own temp dir. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const binary = whichTool('docker-registry');
  if (!binary) throw new Error('docker-registry is not installed (guard the suite with requireTool)');
  const dir = makeTempDir('ghcr-opt-registry');
  const started: { stop(): Promise<void> }[] = [];
  let child: ChildProcess | undefined;
  const logFile = join(dir, 'registry.log');
  try {
    const dataDir = options.storageDir ?? join(dir, 'data');
    await mkdir(dataDir, { recursive: true });
    const users = options.auth ? { ...(options.users ?? DEFAULT_USERS) } : {};

    const http: Record<string, unknown> = {
      addr: '127.0.0.1:0',
      // A fixed secret per registry silences the "No HTTP secret provided" warning.
      secret: randomBytes(16).toString('hex'),
    };
    let caFile: string | undefined;
    let caPem: string | undefined;
    if (options.tls) {
      const cert = await tlsCert();
      http.tls = { certificate: cert.certFile, key: cert.keyFile };
      caFile = cert.certFile;
      caPem = cert.certPem;
    }

    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true }, fields: { service: 'registry' } },
      storage: {
        filesystem: { rootdirectory: dataDir },
        delete: { enabled: true },
        // Upload purging would otherwise start a background walker; tests never leave stale uploads long.
        maintenance: { uploadpurging: { enabled: false } },
      },
      http,
    };

    let tokenServer: TokenServer | undefined;
    if (options.auth === 'htpasswd') {
      const file = join(dir, 'htpasswd');
      await htpasswdFile(file, users);
      config.auth = { htpasswd: { realm: 'basic-realm', path: file } };
    } else if (options.auth === 'token') {
      tokenServer = await startTokenServer({
        users,
        ...(options.tokenGrants ? { grants: options.tokenGrants } : {}),
        ...(options.tokenExpiresIn !== undefined ? { expiresIn: options.tokenExpiresIn } : {}),
      });
      started.push(tokenServer);
      config.auth = {
        token: {
          realm: tokenServer.realm,
          service: tokenServer.service,
          issuer: tokenServer.issuer,
          rootcertbundle: tokenServer.signingCertFile,
        },
      };
    }

    let redirectServer: StaticServer | undefined;
    if (options.redirect) {
      redirectServer = await startStaticServer(dataDir);
      started.push(redirectServer);
      config.middleware = { storage: [{ name: 'redirect', options: { baseurl: `${redirectServer.url}/` } }] };
    }

    const configFile = join(dir, 'config.yml');
    const configYaml = stringify(config);
    await writeFile(configFile, configYaml);

    // REGISTRY_* variables override the config file; a stray one from the environment must not leak in.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('REGISTRY_')) env[k] = v;
    // setpriv --pdeathsig: the kernel kills the registry even if this test process dies by SIGKILL,
    // which no 'exit' handler can cover.
    const setpriv = whichTool('setpriv');
    const [cmd, args] = setpriv
      ? [setpriv, ['--pdeathsig', 'KILL', '--', binary, 'serve', configFile]]
      : [binary, ['serve', configFile]];
    const logFd = openSync(logFile, 'a');
    try {
      child = spawn(cmd, args, { stdio: ['ignore', logFd, logFd], env });
    } finally {
      closeSync(logFd);
    }
    trackChild(child);
    const spawned = child;
    let spawnFailure: Error | undefined;
    spawned.once('error', (err) => (spawnFailure = err));

    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    // The temp dir is gone by the time anyone reads this error, so inline config and log.
    const fail = (why: string) =>
      new Error(`docker-registry ${why}\n--- config ---\n${configYaml}--- log tail ---\n${tailOf(logFile)}`);
    let port: number | undefined;
    let lastProbe: number | Error = new Error('not probed yet');
    for (;;) {
      if (spawnFailure) throw fail(`failed to spawn: ${spawnFailure.message}`);
      if (spawned.exitCode !== null || spawned.signalCode !== null) {
        throw fail(`exited early (${spawned.exitCode ?? spawned.signalCode})`);
      }
      if (Date.now() > deadline) {
        throw fail(
          port === undefined
            ? 'did not open a listening socket in time'
            : `did not answer /v2/ in time (last: ${String(lastProbe)})`,
        );
      }
      if (port === undefined && spawned.pid !== undefined) port = await listeningPort(spawned.pid);
      if (port !== undefined) {
        lastProbe = await probe(`${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`, caPem);
        // Any HTTP answer means it is serving: with auth, /v2/ says 401.
        if (typeof lastProbe === 'number') break;
      }
      await sleep(20);
    }

    const host = `127.0.0.1:${port}`;
    const running: RunningRegistry = {
      url: `${options.tls ? 'https' : 'http'}://${host}`,
      host,
      port,
      dataDir,
      users,
      pid: spawned.pid!,
      logTail: (lines?: number) => tailOf(logFile, lines),
      async stop() {
        await stopChild(spawned);
        for (const server of started.reverse()) await server.stop();
        removeTempDir(dir);
      },
    };
    if (caFile) running.caFile = caFile;
    if (caPem) running.caPem = caPem;
    if (tokenServer) running.tokenServer = tokenServer;
    if (redirectServer) running.redirectServer = redirectServer;
    return running;
  } catch (err) {
    // Undo partial start-up so a failed beforeAll leaks nothing.
    if (child) await stopChild(child);
    for (const server of started.reverse()) await server.stop();
    removeTempDir(dir);
    throw err;
  }
}
