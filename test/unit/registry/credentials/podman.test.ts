import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { findCredential, listCredentialSources } from '../../../../src/registry/credentials/index.js';
import { basic, makeSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

let sb: Sandbox;
let authFile: string;
beforeEach(async () => {
  sb = await makeSandbox();
  authFile = path.join(sb.root, 'auth.json');
  sb.env['REGISTRY_AUTH_FILE'] = authFile;
});
afterEach(async () => {
  await sb.cleanup();
});

describe('containers auth.json locations', () => {
  it('reads $XDG_RUNTIME_DIR/containers/auth.json', async () => {
    delete sb.env['REGISTRY_AUTH_FILE'];
    sb.env['XDG_RUNTIME_DIR'] = path.join(sb.root, 'run');
    const file = path.join(sb.root, 'run', 'containers', 'auth.json');
    await sb.writeJson(file, { auths: { 'quay.io': { auth: basic('u', 'p') } } });
    expect(await findCredential('quay.io', sb.opts())).toEqual({
      username: 'u',
      password: 'p',
      source: `${file} (auths)`,
    });
  });

  it('reads ~/.config/containers/auth.json, or the one under $XDG_CONFIG_HOME', async () => {
    delete sb.env['REGISTRY_AUTH_FILE'];
    const home = path.join(sb.home, '.config', 'containers', 'auth.json');
    await sb.writeJson(home, { auths: { 'quay.io': { auth: basic('home', 'p') } } });
    expect((await findCredential('quay.io', sb.opts()))?.source).toBe(`${home} (auths)`);
    const xdg = path.join(sb.root, 'xdg', 'containers', 'auth.json');
    await sb.writeJson(xdg, { auths: { 'quay.io': { auth: basic('xdg', 'p') } } });
    sb.env['XDG_CONFIG_HOME'] = path.join(sb.root, 'xdg');
    expect((await findCredential('quay.io', sb.opts()))?.username).toBe('xdg');
  });

  it('ignores a relative XDG_RUNTIME_DIR, as the XDG spec requires', async () => {
    sb.env['XDG_RUNTIME_DIR'] = 'relative/run';
    expect(await listCredentialSources('quay.io', sb.opts())).toEqual([]);
  });

  it('uses credHelpers from auth.json', async () => {
    await sb.helper('podhelper', { creds: { 'quay.io': { Username: 'u', Secret: 's' } } });
    await sb.writeJson(authFile, { credHelpers: { 'quay.io': 'podhelper' } });
    expect(await findCredential('quay.io', sb.opts())).toEqual({
      username: 'u',
      password: 's',
      source: 'credential helper docker-credential-podhelper',
    });
  });
});

describe('namespaced keys', () => {
  const auths = {
    'quay.io': { auth: basic('host', 'p0') },
    'quay.io/org': { auth: basic('org', 'p1') },
    'quay.io/org/team': { auth: basic('team', 'p2') },
  };

  it.each([
    ['org/team/app', 'team'],
    ['org/team', 'team'],
    ['org/other', 'org'],
    ['org', 'org'],
    ['orgx/app', 'host'],
    ['someone/app', 'host'],
  ])('uses the longest matching prefix for %s', async (repository, user) => {
    await sb.writeJson(authFile, { auths });
    expect((await findCredential('quay.io', sb.opts({ repository })))?.username).toBe(user);
  });

  it('uses only host-level keys when no repository is given', async () => {
    await sb.writeJson(authFile, { auths });
    expect((await findCredential('quay.io', sb.opts()))?.username).toBe('host');
  });

  it('does not use a namespaced key for another namespace', async () => {
    await sb.writeJson(authFile, { auths: { 'quay.io/org': { auth: basic('org', 'p1') } } });
    expect(await findCredential('quay.io', sb.opts({ repository: 'other/app' }))).toBeUndefined();
    expect(await findCredential('quay.io', sb.opts())).toBeUndefined();
  });

  it('names the namespace in the source', async () => {
    await sb.writeJson(authFile, { auths });
    expect((await findCredential('quay.io', sb.opts({ repository: 'org/x' })))?.source).toBe(
      `${authFile} (auths quay.io/org)`,
    );
  });

  it('treats a URL key as host-level, ignoring its path', async () => {
    await sb.writeJson(authFile, { auths: { 'https://quay.io/v2/': { auth: basic('url', 'p') } } });
    expect((await findCredential('quay.io', sb.opts({ repository: 'org/app' })))?.username).toBe('url');
  });

  it('adds library/ for Docker Hub official images', async () => {
    await sb.writeJson(authFile, {
      auths: { 'docker.io': { auth: basic('hub', 'p') }, 'docker.io/library': { auth: basic('lib', 'p') } },
    });
    expect((await findCredential('docker.io', sb.opts({ repository: 'alpine' })))?.username).toBe('lib');
    expect(
      (await findCredential('index.docker.io', sb.opts({ repository: 'bitnami/redis' })))?.username,
    ).toBe('hub');
  });
});
