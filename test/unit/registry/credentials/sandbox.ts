import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { CredentialOptions } from '../../../../src/registry/credentials/index.js';

/**
 * A throw-away HOME with a PATH holding only fake credential helpers, so tests never see the real
 * environment, the real ~/.docker or a real keychain.
 */
export interface Sandbox {
  root: string;
  home: string;
  bin: string;
  env: NodeJS.ProcessEnv;
  dockerConfig: string;
  opts(extra?: Omit<CredentialOptions, 'env'>): CredentialOptions;
  writeJson(file: string, content: unknown): Promise<void>;
  writeDockerConfig(content: unknown): Promise<void>;
  readDockerConfig(): Promise<Record<string, unknown>>;
  helper(name: string, state?: Partial<HelperState>): Promise<FakeHelper>;
  cleanup(): Promise<void>;
}

export interface HelperState {
  /** Keyed by the server URL the helper is asked with. */
  creds: Record<string, { Username: string; Secret: string }>;
  mode: 'ok' | 'fail' | 'hang' | 'garbage';
  /** Printed to stderr in `fail` mode, after the raw request (which may hold a secret). */
  failMessage: string;
}

export interface FakeHelper {
  state(): Promise<HelperState>;
  /** Every call, as `{ action, server }`; never the secret. */
  calls(): Promise<Array<{ action: string; server: string }>>;
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ghcr-optimize-creds-'));
  const home = path.join(root, 'home');
  const bin = path.join(root, 'bin');
  await mkdir(home, { recursive: true });
  await mkdir(bin, { recursive: true });
  const env: NodeJS.ProcessEnv = { HOME: home, PATH: bin };
  const dockerConfig = path.join(home, '.docker', 'config.json');

  const writeJson = async (file: string, content: unknown): Promise<void> => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };

  return {
    root,
    home,
    bin,
    env,
    dockerConfig,
    opts: (extra = {}) => ({ ...extra, env }),
    writeJson,
    writeDockerConfig: (content) => writeJson(dockerConfig, content),
    readDockerConfig: async () => JSON.parse(await readFile(dockerConfig, 'utf8')) as Record<string, unknown>,
    helper: (name, state) => writeHelper(bin, name, state),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

async function writeHelper(
  bin: string,
  name: string,
  partial: Partial<HelperState> = {},
): Promise<FakeHelper> {
  const statePath = path.join(bin, `${name}.state.json`);
  const logPath = path.join(bin, `${name}.log`);
  const state: HelperState = { creds: {}, mode: 'ok', failMessage: 'helper exploded', ...partial };
  await writeFile(statePath, JSON.stringify(state));
  await writeFile(logPath, '');
  // Dynamic import works whether Node loads this extension-less file as CommonJS or as ESM.
  const script = `#!${process.execPath}
(async () => {
  const fs = await import('node:fs');
  const STATE = ${JSON.stringify(statePath)};
  const action = process.argv[2];
  const input = fs.readFileSync(0, 'utf8');
  const state = JSON.parse(fs.readFileSync(STATE, 'utf8'));
  const server = action === 'store' ? JSON.parse(input).ServerURL : input.trim();
  fs.appendFileSync(${JSON.stringify(logPath)}, JSON.stringify({ action, server }) + '\\n');
  const notFound = () => { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); };
  if (state.mode === 'hang') { setTimeout(() => {}, 60000); return; }
  if (state.mode === 'fail') { process.stderr.write(state.failMessage + ' request=' + input + '\\n'); process.exit(1); }
  if (state.mode === 'garbage') { process.stdout.write('Secret is ' + JSON.stringify(state.creds)); return; }
  if (action === 'get') {
    const c = state.creds[server];
    if (!c) notFound();
    process.stdout.write(JSON.stringify({ ServerURL: server, Username: c.Username, Secret: c.Secret }) + '\\n');
  } else if (action === 'store') {
    const req = JSON.parse(input);
    state.creds[req.ServerURL] = { Username: req.Username, Secret: req.Secret };
    fs.writeFileSync(STATE, JSON.stringify(state));
  } else if (action === 'erase') {
    if (!state.creds[server]) notFound();
    delete state.creds[server];
    fs.writeFileSync(STATE, JSON.stringify(state));
  } else {
    process.stdout.write('unknown action ' + action + '\\n');
    process.exit(1);
  }
})();
`;
  const file = path.join(bin, `docker-credential-${name}`);
  await writeFile(file, script);
  await chmod(file, 0o755);
  return {
    state: async () => JSON.parse(await readFile(statePath, 'utf8')) as HelperState,
    calls: async () =>
      (await readFile(logPath, 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { action: string; server: string }),
  };
}

export function basic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}
