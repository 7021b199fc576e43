import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { UsageError } from '../../../../src/errors.js';
import {
  dockerConfigPath,
  findCredential,
  GHCR_PLACEHOLDER_USERNAME,
  listCredentialSources,
} from '../../../../src/registry/credentials/index.js';
import { basic, makeSandbox } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

let sb: Sandbox;
beforeEach(async () => {
  sb = await makeSandbox();
});
afterEach(async () => {
  await sb.cleanup();
});

async function authsOnly(auths: Record<string, unknown>): Promise<void> {
  await sb.writeDockerConfig({ auths });
}

describe('explicit credentials', () => {
  it('uses flags with their username', async () => {
    const cred = await findCredential(
      '127.0.0.1:5000',
      sb.opts({ explicit: { username: 'me', password: 'pw' } }),
    );
    expect(cred).toEqual({ username: 'me', password: 'pw', source: 'flags' });
  });

  it('ignores a username without a password', async () => {
    expect(await findCredential('127.0.0.1:5000', sb.opts({ explicit: { username: 'me' } }))).toBeUndefined();
  });

  it('fills a GHCR username when only a token was given', async () => {
    sb.env['GITHUB_ACTOR'] = 'octocat';
    const cred = await findCredential('ghcr.io', sb.opts({ explicit: { password: 'tok' } }));
    expect(cred).toEqual({ username: 'octocat', password: 'tok', source: 'flags' });
  });
});

describe('environment tokens', () => {
  it('prefers GHCR_USERNAME, then GITHUB_ACTOR, then a placeholder', async () => {
    sb.env['GITHUB_TOKEN'] = 'tok';
    expect((await findCredential('ghcr.io', sb.opts()))?.username).toBe(GHCR_PLACEHOLDER_USERNAME);
    sb.env['GITHUB_ACTOR'] = 'actor';
    expect((await findCredential('ghcr.io', sb.opts()))?.username).toBe('actor');
    sb.env['GHCR_USERNAME'] = 'explicit-user';
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      username: 'explicit-user',
      password: 'tok',
      source: 'env GITHUB_TOKEN',
    });
  });

  it('applies only to ghcr.io, in any spelling of it', async () => {
    sb.env['GHCR_TOKEN'] = 'tok';
    sb.env['GITHUB_TOKEN'] = 'tok2';
    expect(await findCredential('docker.io', sb.opts())).toBeUndefined();
    expect(await findCredential('ghcr.io.evil.example', sb.opts())).toBeUndefined();
    expect(await findCredential('127.0.0.1:5000', sb.opts())).toBeUndefined();
    expect((await findCredential('https://GHCR.io/', sb.opts()))?.source).toBe('env GHCR_TOKEN');
  });

  it('treats empty variables as unset', async () => {
    sb.env['GHCR_TOKEN'] = '';
    sb.env['GITHUB_TOKEN'] = 'tok';
    sb.env['GHCR_USERNAME'] = '';
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      username: GHCR_PLACEHOLDER_USERNAME,
      password: 'tok',
      source: 'env GITHUB_TOKEN',
    });
  });
});

describe('config.json location', () => {
  it('is ~/.docker/config.json, or config.json in $DOCKER_CONFIG', async () => {
    expect(dockerConfigPath(sb.opts())).toBe(path.join(sb.home, '.docker', 'config.json'));
    expect(dockerConfigPath({ env: {}, homeDir: '/h' })).toBe(path.join('/h', '.docker', 'config.json'));
    const dir = path.join(sb.root, 'elsewhere');
    sb.env['DOCKER_CONFIG'] = dir;
    expect(dockerConfigPath(sb.opts())).toBe(path.join(dir, 'config.json'));
    await sb.writeJson(path.join(dir, 'config.json'), { auths: { 'ghcr.io': { auth: basic('u', 'p') } } });
    // The HOME file is ignored once DOCKER_CONFIG is set.
    await authsOnly({ 'ghcr.io': { auth: basic('home', 'home-pw') } });
    expect((await findCredential('ghcr.io', sb.opts()))?.source).toBe(
      `${path.join(dir, 'config.json')} (auths)`,
    );
  });

  it('treats a missing or empty file as no credentials', async () => {
    expect(await findCredential('ghcr.io', sb.opts())).toBeUndefined();
    await sb.writeDockerConfig('');
    expect(await findCredential('ghcr.io', sb.opts())).toBeUndefined();
  });
});

describe('auths key spellings', () => {
  it.each([
    ['ghcr.io', 'ghcr.io'],
    ['ghcr.io', 'https://ghcr.io'],
    ['ghcr.io', 'https://ghcr.io/'],
    ['ghcr.io', 'http://ghcr.io/v2/'],
    ['ghcr.io', 'https://ghcr.io/v1/'],
    ['ghcr.io', 'GHCR.IO'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['127.0.0.1:5000', 'http://127.0.0.1:5000/v2/'],
    ['localhost:5000', 'https://localhost:5000'],
    ['[::1]:5000', 'http://[::1]:5000/v2/'],
  ])('finds %s under the key %s', async (registry, key) => {
    await authsOnly({ [key]: { auth: basic('u', 'p') } });
    expect(await findCredential(registry, sb.opts())).toMatchObject({ username: 'u', password: 'p' });
  });

  it('does not match a different port or a longer host', async () => {
    await authsOnly({
      '127.0.0.1:5001': { auth: basic('u', 'p') },
      'ghcr.io.example.com': { auth: basic('u', 'p') },
    });
    expect(await findCredential('127.0.0.1:5000', sb.opts())).toBeUndefined();
    expect(await findCredential('ghcr.io', sb.opts())).toBeUndefined();
  });

  it('prefers the exact key over other spellings, whatever the file order', async () => {
    await authsOnly({
      'https://ghcr.io/v1/': { auth: basic('url', 'p1') },
      'ghcr.io': { auth: basic('bare', 'p2') },
    });
    expect((await findCredential('ghcr.io', sb.opts()))?.username).toBe('bare');
  });

  it.each([
    'https://index.docker.io/v1/',
    'index.docker.io',
    'docker.io',
    'registry-1.docker.io',
    'https://docker.io',
  ])('treats the key %s as Docker Hub under every alias', async (key) => {
    await authsOnly({ [key]: { auth: basic('hubuser', 'hubpw') } });
    for (const registry of [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'https://index.docker.io/v1/',
    ]) {
      expect(await findCredential(registry, sb.opts())).toMatchObject({
        username: 'hubuser',
        password: 'hubpw',
      });
    }
  });

  it("prefers Docker's own Docker Hub key", async () => {
    await authsOnly({
      'docker.io': { auth: basic('other', 'p1') },
      'https://index.docker.io/v1/': { auth: basic('docker', 'p2') },
    });
    expect((await findCredential('docker.io', sb.opts()))?.username).toBe('docker');
  });

  it('matches a namespaced key by host, as Docker does', async () => {
    await authsOnly({ 'ghcr.io/owner': { auth: basic('u', 'p') } });
    expect(await findCredential('ghcr.io', sb.opts({ repository: 'someone-else/app' }))).toMatchObject({
      username: 'u',
    });
  });
});

describe('auths entry forms', () => {
  it('decodes auth, trimming a trailing newline from hand-made entries', async () => {
    await authsOnly({ 'ghcr.io': { auth: Buffer.from('user:pa:ss\n').toString('base64') } });
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      username: 'user',
      password: 'pa:ss',
      source: `${sb.dockerConfig} (auths)`,
    });
  });

  it('reads plain username and password fields', async () => {
    await authsOnly({ 'ghcr.io': { username: 'u', password: 'p' } });
    expect(await findCredential('ghcr.io', sb.opts())).toMatchObject({ username: 'u', password: 'p' });
  });

  it('lets auth win over plain fields', async () => {
    await authsOnly({
      'ghcr.io': { username: 'plain', password: 'plain-pw', auth: basic('encoded', 'encoded-pw') },
    });
    expect(await findCredential('ghcr.io', sb.opts())).toMatchObject({
      username: 'encoded',
      password: 'encoded-pw',
    });
  });

  it('reads identitytoken as an identity token', async () => {
    await authsOnly({ 'ghcr.io': { auth: basic('u', ''), identitytoken: 'refresh-me' } });
    const cred = await findCredential('ghcr.io', sb.opts());
    expect(cred).toEqual({
      username: 'u',
      identityToken: 'refresh-me',
      source: `${sb.dockerConfig} (auths)`,
    });
    expect((await listCredentialSources('ghcr.io', sb.opts()))[0]?.kind).toBe('identity-token');
  });

  it('reads registrytoken as a bearer token', async () => {
    await authsOnly({ 'ghcr.io': { registrytoken: 'bearer-me' } });
    expect(await findCredential('ghcr.io', sb.opts())).toEqual({
      registryToken: 'bearer-me',
      source: `${sb.dockerConfig} (auths)`,
    });
    expect((await listCredentialSources('ghcr.io', sb.opts()))[0]?.kind).toBe('registry-token');
  });

  it('skips the empty markers Docker leaves for helper-stored logins', async () => {
    await authsOnly({ 'ghcr.io': {}, 'https://ghcr.io': { auth: basic('u', 'p') } });
    expect(await findCredential('ghcr.io', sb.opts())).toMatchObject({ username: 'u', password: 'p' });
  });

  it('rejects an auth value that is not base64 user:password, without echoing it', async () => {
    const secret = 'bm90LWEtcGFpcg==';
    await authsOnly({ 'ghcr.io': { auth: secret } });
    const err = await findCredential('ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(sb.dockerConfig);
    expect((err as UsageError).message).toContain('auths["ghcr.io"]');
    expect((err as UsageError).message).not.toContain(secret);
    expect((err as UsageError).hint).toBeTruthy();
  });

  it('ignores a broken entry for another registry', async () => {
    await authsOnly({ 'quay.io': { auth: '%%%' }, 'ghcr.io': { auth: basic('u', 'p') } });
    expect(await findCredential('ghcr.io', sb.opts())).toMatchObject({ username: 'u' });
  });
});

describe('corrupt files', () => {
  it('names the file and the fault position but never its contents', async () => {
    const password = 'hunter2-very-secret';
    await sb.writeDockerConfig(`{"auths": {"ghcr.io": {"password": "${password}",}}}`);
    const err = await findCredential('ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const usage = err as UsageError;
    expect(usage.message).toContain(sb.dockerConfig);
    expect(usage.message).toMatch(/not valid JSON/);
    expect(usage.message).not.toContain(password);
    expect(usage.message).not.toContain('\n');
    expect(usage.hint).toMatch(/fix the file or move it/);
  });

  it.each([
    ['a JSON array', '[]'],
    ['auths of the wrong type', '{"auths": []}'],
    ['credHelpers with a non-string', '{"credHelpers": {"ghcr.io": 1}}'],
    ['credsStore of the wrong type', '{"credsStore": {}}'],
  ])('rejects %s', async (_what, text) => {
    await sb.writeDockerConfig(text);
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toBeInstanceOf(UsageError);
  });

  it('rejects a corrupt podman auth file too', async () => {
    const file = path.join(sb.root, 'auth.json');
    sb.env['REGISTRY_AUTH_FILE'] = file;
    await sb.writeJson(file, '{');
    await expect(findCredential('ghcr.io', sb.opts())).rejects.toThrow(file);
  });
});

describe('registry names', () => {
  it('rejects an invalid registry without echoing user-info', async () => {
    await expect(findCredential('not a host', sb.opts())).rejects.toBeInstanceOf(UsageError);
    const err = await findCredential('https://me:s3cret@ghcr.io', sb.opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('s3cret');
  });
});
