import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { findCredential, listCredentialSources } from '../../../../src/registry/credentials/index.js';
import type { CredentialOptions } from '../../../../src/registry/credentials/index.js';
import { basic, makeSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

// Every source, in the order the lookup must prefer them.
const ORDER = [
  'flags',
  'GHCR_TOKEN',
  'GITHUB_TOKEN',
  'credHelpers',
  'credsStore',
  'auths',
  'REGISTRY_AUTH_FILE',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
] as const;
type SourceName = (typeof ORDER)[number];

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

/** Configures exactly `names` for ghcr.io, each with its own password, and returns the options plus expected source labels. */
async function configure(
  names: readonly SourceName[],
): Promise<{ opts: CredentialOptions; label: (n: SourceName) => string }> {
  const has = (n: SourceName): boolean => names.includes(n);
  const docker: Record<string, unknown> = {};
  const runtimeDir = path.join(sb.root, 'run');
  const authFile = path.join(sb.root, 'custom', 'auth.json');
  const podmanEntry = (n: SourceName) => ({ auths: { 'ghcr.io': { auth: basic(`user-${n}`, `pw-${n}`) } } });
  if (has('GHCR_TOKEN')) sb.env['GHCR_TOKEN'] = 'pw-GHCR_TOKEN';
  if (has('GITHUB_TOKEN')) sb.env['GITHUB_TOKEN'] = 'pw-GITHUB_TOKEN';
  if (has('credHelpers')) {
    docker['credHelpers'] = { 'ghcr.io': 'perhost' };
    await sb.helper('perhost', {
      creds: { 'ghcr.io': { Username: 'user-credHelpers', Secret: 'pw-credHelpers' } },
    });
  }
  if (has('credsStore')) {
    docker['credsStore'] = 'global';
    await sb.helper('global', {
      creds: { 'ghcr.io': { Username: 'user-credsStore', Secret: 'pw-credsStore' } },
    });
  }
  if (has('auths')) docker['auths'] = { 'ghcr.io': { auth: basic('user-auths', 'pw-auths') } };
  if (Object.keys(docker).length > 0) await sb.writeDockerConfig(docker);
  if (has('REGISTRY_AUTH_FILE')) {
    sb.env['REGISTRY_AUTH_FILE'] = authFile;
    await sb.writeJson(authFile, podmanEntry('REGISTRY_AUTH_FILE'));
  }
  // The variable is set either way: an empty runtime dir must not hide the other files.
  sb.env['XDG_RUNTIME_DIR'] = runtimeDir;
  if (has('XDG_RUNTIME_DIR')) {
    await sb.writeJson(path.join(runtimeDir, 'containers', 'auth.json'), podmanEntry('XDG_RUNTIME_DIR'));
  }
  if (has('XDG_CONFIG_HOME')) {
    await sb.writeJson(
      path.join(sb.home, '.config', 'containers', 'auth.json'),
      podmanEntry('XDG_CONFIG_HOME'),
    );
  }
  const label = (n: SourceName): string =>
    ({
      flags: 'flags',
      GHCR_TOKEN: 'env GHCR_TOKEN',
      GITHUB_TOKEN: 'env GITHUB_TOKEN',
      credHelpers: 'credential helper docker-credential-perhost',
      credsStore: 'credential helper docker-credential-global',
      auths: `${sb.dockerConfig} (auths)`,
      REGISTRY_AUTH_FILE: `${authFile} (auths)`,
      XDG_RUNTIME_DIR: `${path.join(runtimeDir, 'containers', 'auth.json')} (auths)`,
      XDG_CONFIG_HOME: `${path.join(sb.home, '.config', 'containers', 'auth.json')} (auths)`,
    })[n];
  const explicit = has('flags') ? { username: 'user-flags', password: 'pw-flags' } : undefined;
  return { opts: sb.opts(explicit ? { explicit } : {}), label };
}

const pairs: Array<[SourceName, SourceName]> = ORDER.flatMap((a, i) =>
  ORDER.slice(i + 1).map((b): [SourceName, SourceName] => [a, b]),
);

describe('lookup precedence', () => {
  it.each(pairs)('%s wins over %s', async (winner, loser) => {
    const { opts, label } = await configure([winner, loser]);
    const cred = await findCredential('ghcr.io', opts);
    expect(cred?.source).toBe(label(winner));
    expect(cred?.password).toBe(`pw-${winner}`);
  });

  it('lists every source in lookup order, only the first active, without secrets', async () => {
    const { opts, label } = await configure(ORDER);
    const list = await listCredentialSources('ghcr.io', opts);
    expect(list.map((s) => s.source)).toEqual(ORDER.map(label));
    expect(list.map((s) => s.active)).toEqual(ORDER.map((_, i) => i === 0));
    expect(list.map((s) => s.kind)).toEqual([
      'password',
      'token',
      'token',
      'password',
      'password',
      'password',
      'password',
      'password',
      'password',
    ]);
    expect(list[3]?.username).toBe('user-credHelpers');
    const text = JSON.stringify(list);
    for (const n of ORDER) expect(text).not.toContain(`pw-${n}`);
  });

  it('finds nothing when nothing is configured', async () => {
    await configure([]);
    expect(await findCredential('ghcr.io', sb.opts())).toBeUndefined();
    expect(await listCredentialSources('ghcr.io', sb.opts())).toEqual([]);
  });

  it('stops at the first source: later helpers are never run', async () => {
    const { opts } = await configure(['auths', 'credsStore']);
    const helper = await sb.helper('global', { creds: { 'ghcr.io': { Username: 'u', Secret: 's' } } });
    expect((await findCredential('ghcr.io', { ...opts, explicit: { password: 'x' } }))?.source).toBe('flags');
    expect(await helper.calls()).toEqual([]);
  });

  it('falls through a helper that has nothing for the host', async () => {
    await sb.helper('global', { creds: {} });
    await sb.writeDockerConfig({
      credsStore: 'global',
      auths: { 'ghcr.io': { auth: basic('u', 'file-pw') } },
    });
    const cred = await findCredential('ghcr.io', sb.opts());
    expect(cred).toEqual({ username: 'u', password: 'file-pw', source: `${sb.dockerConfig} (auths)` });
  });

  it('reads a file named by REGISTRY_AUTH_FILE and DOCKER_CONFIG only once when they are the same', async () => {
    const dir = path.join(sb.root, 'dockercfg');
    sb.env['DOCKER_CONFIG'] = dir;
    sb.env['REGISTRY_AUTH_FILE'] = path.join(dir, 'config.json');
    await sb.writeJson(path.join(dir, 'config.json'), { auths: { 'ghcr.io': { auth: basic('u', 'p') } } });
    const list = await listCredentialSources('ghcr.io', sb.opts());
    expect(list.map((s) => s.source)).toEqual([`${path.join(dir, 'config.json')} (auths)`]);
  });
});
