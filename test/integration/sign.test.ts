/**
 * `generate-key-pair`, `sign` and `verify` end to end: each run is its own CLI process against a
 * real docker-registry on 127.0.0.1 (one open, one with htpasswd auth), with skopeo reading what
 * was written. What cosign would see is checked byte for byte: the `sha256-<hex>.sig` manifest,
 * its config and the payload blob. A signature made by cosign itself (recorded, see
 * test/fixtures/cosign/README.md) is served from the registry and verified too.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PolicyError } from '../../src/errors.js';
import {
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  signatureConfig,
  signImage,
  verifyImageSignatures,
} from '../../src/sign/index.js';
import { describeRun, runCli, type CliResult, type CliOptions } from '../support/cli.js';
import { testClient } from '../support/client.js';
import { makeImage, makeIndex, pushImage, sha256, type Image } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { credsOf, startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeoInspect, skopeoInspectRaw } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';

const ok = requireTool('docker-registry') && requireTool('skopeo');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'cosign');

function expectExit(r: CliResult, code: number): void {
  if (r.timedOut || r.code !== code) throw new Error(`expected exit ${code}\n${describeRun(r)}`);
}

/** A failure as the README promises: `error: ...`, at most a `hint: ...`, nothing on stdout. */
function expectOneLineError(r: CliResult, code: number, message: RegExp): void {
  expectExit(r, code);
  const lines = r.stderrLines;
  const problems = [
    lines.length < 1 || lines.length > 2 ? 'stderr is not one error line (+ hint)' : '',
    !/^error: /.test(lines[0] ?? '') ? 'first line is not "error: "' : '',
    lines[1] !== undefined && !/^hint: /.test(lines[1]) ? 'second line is not "hint: "' : '',
    !message.test(lines[0] ?? '') ? `error does not match ${String(message)}` : '',
    r.stdout !== '' ? 'stdout is not empty' : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${describeRun(r)}`);
}

interface RawManifest {
  schemaVersion: number;
  mediaType: string;
  config: { mediaType: string; size: number; digest: string };
  layers: { mediaType: string; size: number; digest: string; annotations?: Record<string, string> }[];
}

interface SignJson {
  image: string;
  digest: string;
  signatureTag: string;
  signatureReference: string;
  signatureManifestDigest: string;
  payload: { digest: string; size: number };
  signature: string;
  signatures: number;
  alreadySigned: boolean;
  key: { type: string; fingerprint: string };
}

interface VerifyJson {
  image: string;
  digest: string;
  signatureTag: string;
  verified: { layer: number; payloadDigest: string; signature: string; payload: Record<string, unknown> }[];
  rejected: { layer: number; payloadDigest: string; reason: string }[];
  key: { type: string; fingerprint: string };
}

const sigTag = (digest: string): string => `${digest.replace(':', '-')}.sig`;
const json = <T>(text: string): T => JSON.parse(text) as T;

describe
  .skipIf(!ok)
  .concurrent('generate-key-pair, sign and verify through the CLI', { timeout: 120_000 }, () => {
    let reg: RunningRegistry;
    let authReg: RunningRegistry;
    let home: string;
    let R: string;
    const PASSWORD = 'test-password';
    // Two key pairs made with the library (the CLI's generate-key-pair has its own test).
    const keys = { a: '', b: '' };

    const images: Record<string, Image> = {};
    const image = (name: string): Image =>
      (images[name] ??= makeImage({ layers: [{ [`${name}.txt`]: `content of ${name}` }] }));

    const cli = (
      args: string[],
      opts: { env?: Record<string, string>; stdin?: string } = {},
    ): Promise<CliResult> => {
      const o: CliOptions = {
        home,
        env: { COSIGN_PASSWORD: PASSWORD, ...opts.env },
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
        timeoutMs: 60_000,
      };
      return runCli(args, o);
    };
    const key = (name: 'a' | 'b', ext: 'key' | 'pub'): string => join(home, `${name}.${ext}`);

    /** An image pushed to its own repository of the open registry; returns `host/repo`. */
    const pushed = async (repo: string, img: Image = image(repo), tag = '1'): Promise<string> => {
      await pushImage(reg.url, repo, tag, img);
      return `${R}/${repo}`;
    };
    const getJson = async <T>(repo: string, ref: string): Promise<T> =>
      JSON.parse((await skopeoInspectRaw(`docker://${R}/${repo}:${ref}`)).toString()) as T;
    const getBlob = async (repo: string, digest: string): Promise<Buffer> => {
      const res = await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`);
      if (!res.ok) throw new Error(`GET blob ${digest}: ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    };
    const putBlob = async (repo: string, data: Buffer): Promise<string> => {
      const digest = sha256(data);
      const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      const url = new URL(start.headers.get('location')!, reg.url);
      url.searchParams.set('digest', digest);
      const put = await fetch(url, {
        method: 'PUT',
        body: data,
        headers: { 'content-type': 'application/octet-stream' },
      });
      if (put.status !== 201) throw new Error(`PUT blob: ${put.status}`);
      return digest;
    };
    const putManifest = async (repo: string, tag: string, doc: unknown, mediaType: string): Promise<void> => {
      const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        body: JSON.stringify(doc),
        headers: { 'content-type': mediaType },
      });
      if (res.status !== 201) throw new Error(`PUT manifest ${tag}: ${res.status} ${await res.text()}`);
    };

    beforeAll(async () => {
      [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
      R = reg.host;
      home = makeTempDir('ghcr-opt-sign');
      for (const name of ['a', 'b'] as const) {
        const pair = await generateKeyPair(Buffer.from(PASSWORD));
        writeFileSync(key(name, 'key'), pair.privateKeyPem, { mode: 0o600 });
        writeFileSync(key(name, 'pub'), pair.publicKeyPem);
        keys[name] = pair.fingerprint;
      }
    });
    afterAll(async () => {
      await Promise.all([reg?.stop(), authReg?.stop()]);
      if (home) removeTempDir(home);
    });

    it('sign → verify: the .sig manifest, its config and payload are what cosign writes', async ({
      expect,
    }) => {
      const repo = await pushed('app/basic');
      const img = image('app/basic');
      const s = await cli(['sign', `${repo}:1`, '--key', key('a', 'key'), '--json']);
      expectExit(s, 0);
      expect(s.stderr).toMatch(/^warning: .*is a tag: signing sha256:/m);
      const signed = json<SignJson>(s.stdout);
      expect(signed).toMatchObject({
        image: `${repo}@${img.digest}`,
        digest: img.digest,
        signatureTag: sigTag(img.digest),
        signatureReference: `${repo}:${sigTag(img.digest)}`,
        signatures: 1,
        alreadySigned: false,
        key: { type: 'ECDSA P-256', fingerprint: keys.a },
      });

      const raw = await skopeoInspectRaw(`docker://${repo}:${sigTag(img.digest)}`);
      expect(sha256(raw)).toBe(signed.signatureManifestDigest);
      const m = JSON.parse(raw.toString()) as RawManifest;
      expect(m).toMatchObject({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 233 },
        layers: [
          {
            mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
            digest: signed.payload.digest,
            annotations: { 'dev.cosignproject.cosign/signature': signed.signature },
          },
        ],
      });
      expect(Object.keys(m)).toEqual(['schemaVersion', 'mediaType', 'config', 'layers']);
      expect(await getBlob('app/basic', m.config.digest)).toEqual(signatureConfig(m.layers));
      const payload = await getBlob('app/basic', signed.payload.digest);
      expect(payload.toString()).toBe(
        `{"critical":{"identity":{"docker-reference":"${repo}"},"image":{"docker-manifest-digest":"${img.digest}"},` +
          '"type":"cosign container image signature"},"optional":null}',
      );
      // skopeo reads it as an ordinary one-layer image.
      expect((await skopeoInspect(`docker://${repo}:${sigTag(img.digest)}`)).Layers).toEqual([
        signed.payload.digest,
      ]);

      const v = await cli(['verify', `${repo}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(v, 0);
      expect(v.stderr).toBe('');
      const verified = json<VerifyJson>(v.stdout);
      expect(verified).toMatchObject({ digest: img.digest, rejected: [], key: { fingerprint: keys.a } });
      expect(verified.verified).toHaveLength(1);
      expect(verified.verified[0]).toMatchObject({
        layer: 1,
        payloadDigest: signed.payload.digest,
        signature: signed.signature,
        payload: { critical: { image: { 'docker-manifest-digest': img.digest } }, optional: null },
      });

      const text = await cli(['verify', `${repo}@${img.digest}`, '--key', key('a', 'pub')]);
      expectExit(text, 0);
      expect(text.stdout).toMatch(
        new RegExp(`^Verified ${repo}@${img.digest}: 1 valid signature \\(ECDSA P-256 key`),
      );
      expect(text.stdout).toContain(signed.payload.digest);
    });

    it('a second key appends a layer; both keys verify; the same key again changes nothing', async ({
      expect,
    }) => {
      const repo = await pushed('app/two');
      const img = image('app/two');
      const first = json<SignJson>(
        (await cli(['sign', `${repo}@${img.digest}`, '--key', key('a', 'key'), '--json'])).stdout,
      );
      const before = (await getJson<RawManifest>('app/two', sigTag(img.digest))).layers;

      const s2 = await cli(['sign', `${repo}@${img.digest}`, '--key', key('b', 'key'), '--json']);
      expectExit(s2, 0);
      expect(s2.stderr).toBe(''); // signing by digest: no tag warning
      const second = json<SignJson>(s2.stdout);
      expect(second).toMatchObject({ signatures: 2, alreadySigned: false });
      const m = await getJson<RawManifest>('app/two', sigTag(img.digest));
      expect(m.layers).toHaveLength(2);
      expect(m.layers[0]).toEqual(before[0]); // the first signature is untouched
      expect(m.layers[1]!.annotations!['dev.cosignproject.cosign/signature']).toBe(second.signature);
      // Same payload (same image, no annotations), so both layers name the same blob, as with cosign.
      expect(m.layers[1]!.digest).toBe(first.payload.digest);
      expect(m.config.size).toBe(342);
      expect(await getBlob('app/two', m.config.digest)).toEqual(signatureConfig(m.layers));

      for (const [name, position] of [
        ['a', 1],
        ['b', 2],
      ] as const) {
        const v = await cli(['verify', `${repo}:1`, '--key', key(name, 'pub'), '--json']);
        expectExit(v, 0);
        const doc = json<VerifyJson>(v.stdout);
        expect(doc.verified.map((x) => x.layer)).toEqual([position]);
        expect(doc.rejected).toEqual([
          expect.objectContaining({
            layer: 3 - position,
            reason: 'the signature does not match the public key',
          }),
        ]);
      }

      const again = await cli(['sign', `${repo}@${img.digest}`, '--key', key('a', 'key'), '--json']);
      expectExit(again, 0);
      expect(json<SignJson>(again.stdout)).toMatchObject({
        alreadySigned: true,
        signatures: 2,
        signatureManifestDigest: second.signatureManifestDigest,
        signature: first.signature,
      });
      const text = await cli(['sign', `${repo}@${img.digest}`, '--key', key('b', 'key')]);
      expect(text.stdout).toMatch(/is already signed with this key .*; nothing pushed/);
    });

    it('a tampered payload (re-signed claims, old signature) fails with exit 9', async ({ expect }) => {
      const repo = await pushed('app/tamper');
      const img = image('app/tamper');
      expectExit(await cli(['sign', `${repo}:1`, '--key', key('a', 'key')]), 0);
      const m = await getJson<RawManifest>('app/tamper', sigTag(img.digest));
      const original = await getBlob('app/tamper', m.layers[0]!.digest);
      // The attacker's payload claims an annotation the signer never made; the signature stays.
      const forged = Buffer.from(
        original.toString().replace('"optional":null', '"optional":{"approved":"yes"}'),
      );
      const forgedDigest = await putBlob('app/tamper', forged);
      const layers = [{ ...m.layers[0]!, digest: forgedDigest, size: forged.length }];
      const config = signatureConfig(layers);
      await putBlob('app/tamper', config);
      await putManifest(
        'app/tamper',
        sigTag(img.digest),
        { ...m, config: { ...m.config, digest: sha256(config), size: config.length }, layers },
        m.mediaType,
      );
      const v = await cli(['verify', `${repo}:1`, '--key', key('a', 'pub')]);
      expectOneLineError(
        v,
        9,
        new RegExp(
          `^error: no valid signature for ${repo}@${img.digest}: 1 checked, the signature does not match the public key$`,
        ),
      );
      expect(v.stderrLines[1]).toMatch(
        /^hint: check that --key is the public key of the signing key \(sha256:/,
      );
      const j = await cli(['verify', `${repo}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(j, 9);
      expect(json<{ error: { kind: string; exitCode: number } }>(j.stderr).error).toMatchObject({
        kind: 'policy',
        exitCode: 9,
      });
    });

    it('a missing signature exits 4; a wrong key and a signature for another image exit 9', async ({
      expect,
    }) => {
      const repo = await pushed('app/wrong');
      const img = image('app/wrong');
      const other = image('app/wrong-other');
      await pushed('app/wrong', other, '2');
      expectOneLineError(
        await cli(['verify', `${repo}:1`, '--key', key('a', 'pub')]),
        4,
        /^error: no signatures found for .*app\/wrong@sha256:/,
      );
      expectExit(await cli(['sign', `${repo}:1`, '--key', key('a', 'key')]), 0);
      expectOneLineError(
        await cli(['verify', `${repo}:1`, '--key', key('b', 'pub')]),
        9,
        /the signature does not match the public key$/,
      );
      // Image 1's signature manifest copied to image 2's tag: valid signature, wrong image.
      const sigManifest = await skopeoInspectRaw(`docker://${repo}:${sigTag(img.digest)}`);
      await putManifest(
        'app/wrong',
        sigTag(other.digest),
        JSON.parse(sigManifest.toString()),
        'application/vnd.oci.image.manifest.v1+json',
      );
      const copied = await cli(['verify', `${repo}:2`, '--key', key('a', 'pub')]);
      expectOneLineError(copied, 9, new RegExp(`signed for another image \\(${img.digest}\\)$`));
      // The key is right: the hint says what is wrong instead of pointing at --key.
      expect(copied.stderrLines[1]).toBe(
        `hint: the signature belongs to another digest (the image was re-pushed or the signature copied): sign this digest: ghcr-optimize sign ${repo}@${other.digest} --key cosign.key`,
      );
    });

    it('copy --include-referrers takes the signature along; the copy verifies with --any-reference only', async ({
      expect,
    }) => {
      const repo = await pushed('app/orig');
      const img = image('app/orig');
      expectExit(await cli(['sign', `${repo}:1`, '--key', key('a', 'key')]), 0);
      expectExit(await cli(['copy', `${repo}:1`, `${R}/mirror/app:1`, '--include-referrers']), 0);
      const strict = await cli(['verify', `${R}/mirror/app:1`, '--key', key('a', 'pub')]);
      expectOneLineError(strict, 9, new RegExp(`signed for repository ${repo}$`));
      expect(strict.stderrLines[1]).toMatch(/--any-reference/);
      const loose = await cli([
        'verify',
        `${R}/mirror/app:1`,
        '--key',
        key('a', 'pub'),
        '--any-reference',
        '--json',
      ]);
      expectExit(loose, 0);
      expect(json<VerifyJson>(loose.stdout).verified[0]!.payload).toMatchObject({
        critical: { identity: { 'docker-reference': repo }, image: { 'docker-manifest-digest': img.digest } },
      });
    });

    it('annotations are signed into "optional" and can be required by verify', async ({ expect }) => {
      const repo = await pushed('app/annot');
      const s = await cli([
        'sign',
        `${repo}:1`,
        '--key',
        key('a', 'key'),
        '-a',
        'git_sha=abc123',
        '--annotation',
        'env=prod',
        '--json',
      ]);
      expectExit(s, 0);
      const payload = await getBlob('app/annot', json<SignJson>(s.stdout).payload.digest);
      expect(payload.toString()).toMatch(/,"optional":\{"env":"prod","git_sha":"abc123"\}\}$/);
      expectExit(await cli(['verify', `${repo}:1`, '--key', key('a', 'pub'), '-a', 'git_sha=abc123']), 0);
      expectOneLineError(
        await cli(['verify', `${repo}:1`, '--key', key('a', 'pub'), '-a', 'git_sha=zzz']),
        9,
        /annotation git_sha is not "zzz"$/,
      );
      expectOneLineError(
        await cli(['sign', `${repo}:1`, '--key', key('a', 'key'), '-a', 'novalue']),
        2,
        /not key=value/,
      );
    });

    it('signs a multi-platform index as a whole; COSIGN_DOCKER_MEDIA_TYPES=1 writes a v2s2 manifest', async ({
      expect,
    }) => {
      const idx = makeIndex([
        makeImage({ architecture: 'amd64', layers: [{ a: 'amd64' }] }),
        makeImage({ architecture: 'arm64', layers: [{ a: 'arm64' }] }),
      ]);
      await pushImage(reg.url, 'app/index', 'multi', idx);
      const s = await cli(['sign', `${R}/app/index:multi`, '--key', key('a', 'key'), '--json'], {
        env: { COSIGN_DOCKER_MEDIA_TYPES: '1' },
      });
      expectExit(s, 0);
      expect(json<SignJson>(s.stdout).digest).toBe(idx.digest);
      const m = await getJson<RawManifest>('app/index', sigTag(idx.digest));
      expect(m.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      expect(m.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
      // Appending keeps the existing manifest's media types, whatever the environment says.
      expectExit(await cli(['sign', `${R}/app/index:multi`, '--key', key('b', 'key')]), 0);
      expect((await getJson<RawManifest>('app/index', sigTag(idx.digest))).mediaType).toBe(
        'application/vnd.docker.distribution.manifest.v2+json',
      );
      const v = await cli(['verify', `${R}/app/index:multi`, '--key', key('b', 'pub'), '--json']);
      expectExit(v, 0);
      expect(json<VerifyJson>(v.stdout).verified.map((x) => x.layer)).toEqual([2]);
    });

    it('verifies a signature the real cosign made (recorded), served from the registry', async ({
      expect,
    }) => {
      // dangerzone's test signature for ghcr.io/apyrgio/dangerzone/dangerzone@sha256:4da44123…: the
      // image itself is not needed, only its signature manifest under the digest's tag.
      const digest = 'sha256:4da441235e84e93518778827a5c5745d532d7a4079886e1647924bee7ef1c14d';
      const [recorded] = JSON.parse(
        readFileSync(join(FIXTURES, 'dangerzone', 'signatures', `valid-${digest.slice(7)}.json`), 'utf8'),
      ) as { Base64Signature: string; Payload: string }[];
      const payload = Buffer.from(recorded!.Payload, 'base64');
      const layers = [
        {
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
          size: payload.length,
          digest: await putBlob('recorded/dangerzone', payload),
          annotations: { 'dev.cosignproject.cosign/signature': recorded!.Base64Signature },
        },
      ];
      const config = signatureConfig(layers);
      await putBlob('recorded/dangerzone', config);
      await putManifest(
        'recorded/dangerzone',
        sigTag(digest),
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            size: config.length,
            digest: sha256(config),
          },
          layers,
        },
        'application/vnd.oci.image.manifest.v1+json',
      );
      const client = testClient();
      try {
        const repo = client.repository(R, 'recorded/dangerzone');
        const pub = loadPublicKey(readFileSync(join(FIXTURES, 'dangerzone', 'test.pub.key'), 'utf8'));
        const result = await verifyImageSignatures(repo, { digest, key: pub, anyReference: true });
        expect(result.verified).toHaveLength(1);
        expect(result.verified[0]!.payload.critical.identity['docker-reference']).toBe(
          'ghcr.io/apyrgio/dangerzone/dangerzone',
        );
        // Without --any-reference the identity (another registry) is refused, with the reason.
        const err = await verifyImageSignatures(repo, { digest, key: pub }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PolicyError);
        expect((err as PolicyError).message).toMatch(
          /signed for repository ghcr\.io\/apyrgio\/dangerzone\/dangerzone$/,
        );
        // And a cosign-made key signs into the same manifest, next to cosign's own signature.
        const cosignKey = await loadPrivateKey(
          readFileSync(join(FIXTURES, 'sigstore-rs', 'cosign_generated_encrypted_empty_private.key'), 'utf8'),
          Buffer.alloc(0),
        );
        const signed = await signImage(repo, {
          digest,
          reference: `${R}/recorded/dangerzone`,
          key: cosignKey,
        });
        expect(signed.signatures).toBe(2);
        const both = await verifyImageSignatures(repo, { digest, key: cosignKey });
        expect(both.verified.map((v) => v.layer)).toEqual([2]);
      } finally {
        await client.close();
      }
    });

    it('generate-key-pair: files, modes, no silent overwrite, and a key that signs', async ({ expect }) => {
      const prefix = join(home, 'generated');
      const g = await cli(['generate-key-pair', '--output-key-prefix', prefix, '--json'], {
        env: { COSIGN_PASSWORD: 'gen-pass' },
      });
      expectExit(g, 0);
      expect(json(g.stdout)).toMatchObject({
        privateKey: `${prefix}.key`,
        publicKey: `${prefix}.pub`,
        keyType: 'ECDSA P-256',
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });
      expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);
      expect(readFileSync(`${prefix}.key`, 'utf8')).toMatch(
        /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/,
      );
      expect(readFileSync(`${prefix}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      const again = await cli(['generate-key-pair', '--output-key-prefix', prefix]);
      expectOneLineError(again, 2, /generated\.key already exists$/);
      chmodSync(`${prefix}.key`, 0o644);
      const forced = await cli(['generate-key-pair', '--output-key-prefix', prefix, '--force', '--json'], {
        env: { COSIGN_PASSWORD: 'gen-pass' },
      });
      expectExit(forced, 0);
      expect(json<{ fingerprint: string }>(forced.stdout).fingerprint).not.toBe(
        json<{ fingerprint: string }>(g.stdout).fingerprint,
      );
      expect(statSync(`${prefix}.key`).mode & 0o777).toBe(0o600);

      const repo = await pushed('app/genkey');
      expectExit(
        await cli(['sign', `${repo}:1`, '--key', `${prefix}.key`], { env: { COSIGN_PASSWORD: 'gen-pass' } }),
        0,
      );
      expectExit(await cli(['verify', `${repo}:1`, '--key', `${prefix}.pub`]), 0);
      // The default prefix writes cosign.key / cosign.pub in the working directory; text output.
      const d = await cli(['generate-key-pair'], { env: { COSIGN_PASSWORD: '' } });
      expectExit(d, 0);
      expect(d.stdout).toBe('Private key written to cosign.key\nPublic key written to cosign.pub\n');
      // A directory that does not exist is a file-system error (exit 11), as the README documents.
      const nodir = await cli(['generate-key-pair', '--output-key-prefix', join(home, 'no/such/dir/k')]);
      expectOneLineError(nodir, 11, /k\.key: no such file or directory/);
      expect(await loadPrivateKey(readFileSync(join(home, 'cosign.key')), Buffer.alloc(0))).toMatchObject({
        description: 'ECDSA P-256',
      });
    });

    it('usage errors: wrong password, missing key, a public key to sign, tlog upload, an oci: layout', async ({
      expect,
    }) => {
      const repo = await pushed('app/usage');
      const wrong = await cli(['sign', `${repo}:1`, '--key', key('a', 'key')], {
        env: { COSIGN_PASSWORD: 'nope' },
      });
      expectOneLineError(wrong, 2, /a\.key: cannot decrypt the key: wrong password$/);
      expect(wrong.stderrLines[1]).toMatch(/COSIGN_PASSWORD/);
      expectOneLineError(
        await cli(['sign', `${repo}:1`, '--key', join(home, 'none.key')]),
        2,
        /no such file$/,
      );
      expectOneLineError(
        await cli(['sign', `${repo}:1`, '--key', key('a', 'pub')]),
        2,
        /unsupported PEM type "PUBLIC KEY"/,
      );
      expectOneLineError(
        await cli(['verify', `${repo}:1`, '--key', key('a', 'key')]),
        2,
        /expected a "PUBLIC KEY"/,
      );
      expectOneLineError(
        await cli(['sign', `${repo}:1`, '--key', key('a', 'key'), '--tlog-upload=true']),
        2,
        /--tlog-upload=true is not supported$/,
      );
      expectOneLineError(
        await cli(['sign', 'oci:./layout:1', '--key', key('a', 'key')]),
        2,
        /signatures live in a registry$/,
      );
      expectOneLineError(await cli(['verify', `${repo}:missing`, '--key', key('a', 'pub')]), 4, /not found/);
      // cosign's flags for key-based, log-less use are accepted.
      expectExit(await cli(['sign', `${repo}:1`, '--key', key('a', 'key'), '--tlog-upload=false', '-y']), 0);
      expectExit(
        await cli(['verify', `${repo}:1`, '--key', key('a', 'pub'), '--insecure-ignore-tlog=true']),
        0,
      );
      // The key may come from an environment variable, as cosign's env:// references do.
      expectExit(
        await cli(['verify', `${repo}:1`, '--key', 'env://RELEASE_PUB'], {
          env: { RELEASE_PUB: readFileSync(key('a', 'pub'), 'utf8') },
        }),
        0,
      );
    });

    it('with --password-stdin the key password must come from COSIGN_PASSWORD', async ({ expect }) => {
      const user = credsOf(authReg);
      await pushImage(authReg.url, 'private/app', '1', image('private/app'), { auth: user });
      const ref = `${authReg.host}/private/app:1`;
      const login = ['--username', user.username, '--password-stdin'];
      const s = await cli(['sign', ref, '--key', key('a', 'key'), ...login], { stdin: `${user.password}\n` });
      expectExit(s, 0);
      const v = await cli(['verify', ref, '--key', key('a', 'pub'), ...login, '--json'], {
        stdin: `${user.password}\n`,
      });
      expectExit(v, 0);
      expect(json<VerifyJson>(v.stdout).verified).toHaveLength(1);
      const noEnv = await runWithoutPassword(
        ['sign', ref, '--key', key('a', 'key'), ...login],
        `${user.password}\n`,
      );
      expectOneLineError(noEnv, 2, /set COSIGN_PASSWORD for the private key$/);
      expect(noEnv.stderrLines[1]).toMatch(/--password-stdin/);
    });

    it('--help of each command shows examples', async ({ expect }) => {
      for (const cmd of ['sign', 'verify', 'generate-key-pair']) {
        const r = await cli([cmd, '--help']);
        expectExit(r, 0);
        expect(r.stdout).toMatch(/Examples:\n {2}.*ghcr-optimize /);
      }
    });

    /** A run whose environment has no COSIGN_PASSWORD at all (cli() always sets one). */
    function runWithoutPassword(args: string[], stdin: string): Promise<CliResult> {
      const o: CliOptions = { home, stdin, timeoutMs: 60_000 };
      return runCli(args, o);
    }
  });
