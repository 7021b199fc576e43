/**
 * `sign --referrer` and `verify` of Sigstore bundle referrers, each run its own CLI process:
 * against the real docker-registry 2.8 (no referrers API, so the `sha256-<hex>` fallback tag is
 * written and read), and through a small real HTTP front that adds an OCI 1.1 referrers API to
 * that registry (answers `OCI-Subject`, serves GET /v2/NAME/referrers/DIGEST) for the API path.
 * What was pushed is read back with plain HTTP and checked with @sigstore/bundle and
 * @sigstore/verify directly; tampering is done by rewriting the registry's content.
 */
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { assertBundleLatest, bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { generateKeyPair, loadPublicKey } from '../../src/sign/index.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeImage, makeIndex, pushImage, sha256, type Image } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { closeServer, listenLocal, type TestServer } from '../support/net.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';

const ok = requireTool('docker-registry');

const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const ACCEPT = [OCI_INDEX, OCI_MANIFEST].join(', ');

function expectExit(r: CliResult, code: number): void {
  if (r.timedOut || r.code !== code) throw new Error(`expected exit ${code}\n${describeRun(r)}`);
}

/** A failure as the README promises: `error: ...`, at most a `hint: ...`. */
function expectError(r: CliResult, code: number, message: RegExp): void {
  expectExit(r, code);
  const [first, second] = r.stderrLines;
  const problems = [
    r.stderrLines.length > 2 ? 'more than an error line and a hint' : '',
    !/^error: /.test(first ?? '') || !message.test(first ?? '')
      ? `error does not match ${String(message)}`
      : '',
    second !== undefined && !/^hint: /.test(second) ? 'second line is not "hint: "' : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${describeRun(r)}`);
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}
interface ReferrerManifest {
  mediaType: string;
  artifactType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject: Descriptor;
  annotations: Record<string, string>;
}
interface BundleJson {
  mediaType: string;
  verificationMaterial: Record<string, unknown>;
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}
interface SignJson {
  digest: string;
  mode: string;
  referrer: string;
  bundleDigest: string;
  via: 'api' | 'tag';
  fallbackTag?: string;
  alreadySigned: boolean;
}
interface VerifyJson {
  digest: string;
  status: string;
  verified?: unknown[];
  tag?: { status: string; signatures: number };
  referrers?: {
    status: string;
    via: string;
    verified: { referrer: string; bundleDigest: string; annotations: Record<string, unknown> }[];
    rejected: { referrer: string; reason: string }[];
    ignored: unknown[];
  };
}

const json = <T>(text: string): T => JSON.parse(text) as T;
const fallbackTag = (digest: string): string => digest.replace(':', '-');

/** Plain HTTP access to the registry's content, for checking and for tampering. */
function registryHttp(base: string) {
  const getManifest = async <T>(
    repo: string,
    ref: string,
  ): Promise<{ bytes: Buffer; doc: T } | undefined> => {
    const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT } });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET manifest ${repo}:${ref}: ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    return { bytes, doc: JSON.parse(bytes.toString()) as T };
  };
  const getBlob = async (repo: string, digest: string): Promise<Buffer> => {
    const res = await fetch(`${base}/v2/${repo}/blobs/${digest}`);
    if (!res.ok) throw new Error(`GET blob ${digest}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const putBlob = async (repo: string, data: Buffer): Promise<string> => {
    const digest = sha256(data);
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    const url = new URL(start.headers.get('location')!, base);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, {
      method: 'PUT',
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw new Error(`PUT blob: ${put.status}`);
    return digest;
  };
  const putManifest = async (
    repo: string,
    ref: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string> => {
    const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    if (res.status !== 201) throw new Error(`PUT manifest ${ref}: ${res.status} ${await res.text()}`);
    return sha256(bytes);
  };
  const tags = async (repo: string): Promise<string[]> => {
    const res = await fetch(`${base}/v2/${repo}/tags/list`);
    if (!res.ok) throw new Error(`tags ${repo}: ${res.status}`);
    return ((await res.json()) as { tags: string[] | null }).tags ?? [];
  };
  return { getManifest, getBlob, putBlob, putManifest, tags };
}

/**
 * An OCI 1.1 referrers API in front of a registry that has none: manifests pushed with a subject
 * are remembered (and acknowledged with OCI-Subject), GET /v2/NAME/referrers/DIGEST lists them.
 * Everything else is passed through unchanged (Host included, so upload Locations point here).
 */
async function startReferrersFront(
  upstream: RunningRegistry,
): Promise<TestServer & { referrerGets: number }> {
  const index = new Map<string, Descriptor[]>();
  const state = { referrerGets: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const listing = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})(?:\?artifactType=([^&]+))?$/.exec(path);
      if (req.method === 'GET' && listing) {
        state.referrerGets++;
        const [, repo, digest, type] = listing;
        const wanted = type ? decodeURIComponent(type) : undefined;
        const manifests = (index.get(`${repo}@${digest}`) ?? []).filter(
          (d) => !wanted || d.artifactType === wanted,
        );
        res.writeHead(200, {
          'content-type': OCI_INDEX,
          ...(wanted ? { 'oci-filters-applied': 'artifactType' } : {}),
        });
        res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
        return;
      }
      const up = httpRequest(
        { host: '127.0.0.1', port: upstream.port, method: req.method, path, headers: req.headers },
        (upRes) => {
          const headers = { ...upRes.headers };
          const put = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(path);
          if (req.method === 'PUT' && put && upRes.statusCode === 201) {
            const doc = JSON.parse(body.toString()) as Partial<ReferrerManifest> & { mediaType?: string };
            if (doc.subject) {
              const key = `${put[1]}@${doc.subject.digest}`;
              const entry: Descriptor = {
                mediaType: doc.mediaType ?? OCI_MANIFEST,
                digest: sha256(body),
                size: body.length,
                ...(doc.artifactType ? { artifactType: doc.artifactType } : {}),
                ...(doc.annotations ? { annotations: doc.annotations } : {}),
              };
              index.set(key, [...(index.get(key) ?? []).filter((d) => d.digest !== entry.digest), entry]);
              headers['oci-subject'] = doc.subject.digest;
            }
          }
          res.writeHead(upRes.statusCode ?? 502, headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  const { host } = await listenLocal(server);
  return {
    url: `http://${host}`,
    host,
    get referrerGets() {
      return state.referrerGets;
    },
    stop: () => closeServer(server),
  };
}

describe
  .skipIf(!ok)
  .concurrent('sign --referrer / verify: Sigstore bundles as OCI 1.1 referrers', { timeout: 180_000 }, () => {
    let reg: RunningRegistry;
    let front: Awaited<ReturnType<typeof startReferrersFront>>;
    let home: string;
    let R: string;
    let http: ReturnType<typeof registryHttp>;
    const PASSWORD = 'referrer-test-password';
    const pubPem: Record<'a' | 'b', string> = { a: '', b: '' };
    const key = (name: 'a' | 'b', ext: 'key' | 'pub'): string => join(home, `${name}.${ext}`);
    const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
      runCli(args, { home, env: { COSIGN_PASSWORD: PASSWORD, ...env }, timeoutMs: 60_000 });

    const pushed = async (repo: string, img: Image = makeImage({ layers: [{ [`${repo}.txt`]: repo }] })) => {
      await pushImage(reg.url, repo, '1', img);
      return { ref: `${R}/${repo}`, img };
    };
    const signReferrer = async (
      ref: string,
      name: 'a' | 'b' = 'a',
      extra: string[] = [],
    ): Promise<SignJson> => {
      const s = await cli(['sign', ref, '--key', key(name, 'key'), '--referrer', '--json', ...extra]);
      expectExit(s, 0);
      return json<SignJson>(s.stdout);
    };
    /** The one bundle referrer listed under the fallback tag of `digest`. */
    const referrerOf = async (repo: string, digest: string) => {
      const idx = await http.getManifest<{ manifests: Descriptor[] }>(repo, fallbackTag(digest));
      if (!idx) throw new Error(`no fallback tag for ${digest}`);
      const entry = idx.doc.manifests.find((d) => d.artifactType === BUNDLE_TYPE)!;
      const m = (await http.getManifest<ReferrerManifest>(repo, entry.digest))!;
      const bundle = await http.getBlob(repo, m.doc.layers[0]!.digest);
      return { index: idx.doc, entry, manifest: m.doc, manifestBytes: m.bytes, bundle };
    };
    /**
     * Replaces what the fallback tag of `listUnder` lists with a rewritten copy of a referrer: its
     * bundle changed by `edit`, its subject set to `subject` (an attacker with push access).
     */
    const plantReferrer = async (
      repo: string,
      source: Awaited<ReturnType<typeof referrerOf>>,
      edit: (b: BundleJson) => BundleJson,
      subject: Descriptor,
    ): Promise<string> => {
      const bundle = Buffer.from(JSON.stringify(edit(JSON.parse(source.bundle.toString()) as BundleJson)));
      const bundleDigest = await http.putBlob(repo, bundle);
      const manifest = {
        ...source.manifest,
        layers: [{ ...source.manifest.layers[0]!, digest: bundleDigest, size: bundle.length }],
        subject,
      };
      const bytes = Buffer.from(JSON.stringify(manifest));
      const digest = await http.putManifest(repo, sha256(bytes), bytes, OCI_MANIFEST);
      const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ ...source.entry, digest, size: bytes.length }],
      };
      await http.putManifest(
        repo,
        fallbackTag(subject.digest),
        Buffer.from(JSON.stringify(index)),
        OCI_INDEX,
      );
      return digest;
    };

    beforeAll(async () => {
      reg = await startRegistry();
      R = reg.host;
      http = registryHttp(reg.url);
      front = await startReferrersFront(reg);
      home = makeTempDir('ghcr-opt-sign-referrer');
      for (const name of ['a', 'b'] as const) {
        const pair = await generateKeyPair(Buffer.from(PASSWORD));
        writeFileSync(key(name, 'key'), pair.privateKeyPem, { mode: 0o600 });
        writeFileSync(key(name, 'pub'), pair.publicKeyPem);
        pubPem[name] = pair.publicKeyPem;
      }
    });
    afterAll(async () => {
      await front?.stop();
      await reg?.stop();
      if (home) removeTempDir(home);
    });

    it('sign --referrer writes cosign’s bundle referrer under the fallback tag; verify finds it', async ({
      expect,
    }) => {
      const { ref, img } = await pushed('ref/basic');
      const signed = await signReferrer(`${ref}@${img.digest}`);
      expect(signed).toMatchObject({
        digest: img.digest,
        mode: 'referrer',
        via: 'tag',
        fallbackTag: fallbackTag(img.digest),
        alreadySigned: false,
      });
      expect((await http.tags('ref/basic')).sort()).toEqual(['1', fallbackTag(img.digest)].sort());

      const r = await referrerOf('ref/basic', img.digest);
      expect(r.entry).toMatchObject({
        mediaType: OCI_MANIFEST,
        digest: signed.referrer,
        artifactType: BUNDLE_TYPE,
        annotations: { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
      });
      expect(sha256(r.manifestBytes)).toBe(signed.referrer);
      expect(r.manifest).toMatchObject({
        mediaType: OCI_MANIFEST,
        artifactType: BUNDLE_TYPE,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
        layers: [{ mediaType: BUNDLE_TYPE, digest: signed.bundleDigest }],
        subject: { mediaType: img.mediaType, digest: img.digest, size: img.size },
        annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope' },
      });
      expect((await http.getBlob('ref/basic', r.manifest.config.digest)).toString()).toBe('{}');

      // The bundle stands on its own: @sigstore/bundle validates it, @sigstore/verify checks it.
      const bundleJson = JSON.parse(r.bundle.toString()) as BundleJson;
      expect(bundleJson.mediaType).toBe(BUNDLE_TYPE);
      expect(Object.keys(bundleJson.verificationMaterial)).not.toContain('x509CertificateChain');
      const parsed = bundleFromJSON(bundleJson);
      assertBundleLatest(parsed);
      const publicKey = loadPublicKey(pubPem.a).publicKey;
      new Verifier(
        toTrustMaterial(
          { mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
          () => ({ publicKey, validFor: () => true }),
        ),
        { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
      ).verify(toSignedEntity(parsed));
      const statement = JSON.parse(Buffer.from(bundleJson.dsseEnvelope.payload, 'base64').toString()) as {
        _type: string;
        predicateType: string;
        subject: { digest: Record<string, string> }[];
      };
      expect(statement).toMatchObject({
        _type: 'https://in-toto.io/Statement/v1',
        predicateType: 'https://sigstore.dev/cosign/sign/v1',
        subject: [{ digest: { sha256: img.digest.slice(7) } }],
      });

      const v = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(v, 0);
      expect(v.stderr).toBe('');
      const doc = json<VerifyJson>(v.stdout);
      expect(doc).toMatchObject({
        digest: img.digest,
        status: 'verified',
        tag: { status: 'unsigned', signatures: 0 },
        referrers: { status: 'verified', via: 'tag', rejected: [], ignored: [] },
      });
      expect(doc.referrers!.verified).toEqual([
        expect.objectContaining({ referrer: signed.referrer, bundleDigest: signed.bundleDigest }),
      ]);
      const text = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub')]);
      expectExit(text, 0);
      expect(text.stdout).toMatch(
        new RegExp(`^Verified ${ref}@${img.digest}: 1 valid signature \\(ECDSA P-256 key`),
      );
      expect(text.stdout).toMatch(
        /Sigstore bundle referrers: verified \(1 of 1 valid, via the fallback tag\)/,
      );
      expect(text.stdout).toContain(signed.referrer);

      // Only the .sig tag asked for: unsigned there.
      const tagOnly = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--mode', 'tag']);
      expectError(tagOnly, 4, /^error: no signatures found for /);

      // Signing again with the same key and annotations adds nothing.
      const again = await signReferrer(`${ref}:1`);
      expect(again).toMatchObject({ alreadySigned: true, referrer: signed.referrer });
      expect((await referrerOf('ref/basic', img.digest)).index.manifests).toHaveLength(1);
    });

    it('a tampered payload or signature in the pushed bundle is invalid (exit 9), even next to a valid .sig', async ({
      expect,
    }) => {
      const { ref, img } = await pushed('ref/tamper');
      await signReferrer(ref + ':1');
      const original = await referrerOf('ref/tamper', img.digest);
      const subject = original.manifest.subject;

      const flipPayload = (b: BundleJson): BundleJson => {
        const payload = Buffer.from(b.dsseEnvelope.payload, 'base64');
        const at = payload.indexOf(img.digest.slice(7)) + 5; // a hex digit of the signed digest
        payload[at] = payload[at] === 0x30 ? 0x31 : 0x30;
        return { ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: payload.toString('base64') } };
      };
      await plantReferrer('ref/tamper', original, flipPayload, subject);
      const v1 = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub')]);
      expectError(
        v1,
        9,
        new RegExp(
          `^error: no valid signature for ${ref}@${img.digest}: 1 checked, the signature does not match the public key$`,
        ),
      );

      const flipSignature = (b: BundleJson): BundleJson => {
        const sig = Buffer.from(b.dsseEnvelope.signatures[0]!.sig, 'base64');
        sig[sig.length - 2]! ^= 0x01;
        const signatures = [{ ...b.dsseEnvelope.signatures[0]!, sig: sig.toString('base64') }];
        return { ...b, dsseEnvelope: { ...b.dsseEnvelope, signatures } };
      };
      await plantReferrer('ref/tamper', original, flipSignature, subject);
      const v2 = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(v2, 9);
      expect(json<{ error: { kind: string; exitCode: number } }>(v2.stderr).error).toMatchObject({
        kind: 'policy',
        exitCode: 9,
      });
      const report = json<VerifyJson>(v2.stdout);
      expect(report).toMatchObject({ status: 'invalid', referrers: { status: 'invalid', verified: [] } });
      expect(report.referrers!.rejected).toEqual([
        expect.objectContaining({ reason: 'the signature does not match the public key' }),
      ]);

      // A valid cosign .sig signature does not excuse the invalid bundle.
      expectExit(await cli(['sign', `${ref}:1`, '--key', key('a', 'key')]), 0);
      const both = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub')]);
      expectError(
        both,
        9,
        /^error: invalid signature for .*: Sigstore bundle referrers: 1 checked, the signature does not match the public key \(the \.sig tag signature is valid\)$/,
      );
      expectExit(await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--mode', 'tag']), 0);
    });

    it('a bundle copied to another image’s subject is invalid: signed for another image', async ({
      expect,
    }) => {
      const { ref, img } = await pushed('ref/copy');
      const other = makeImage({ layers: [{ 'other.txt': 'another image' }] });
      await pushImage(reg.url, 'ref/copy', '2', other);
      await signReferrer(`${ref}:1`);
      const source = await referrerOf('ref/copy', img.digest);
      await plantReferrer('ref/copy', source, (b) => b, {
        mediaType: other.mediaType,
        digest: other.digest,
        size: other.size,
      });
      const v = await cli(['verify', `${ref}:2`, '--key', key('a', 'pub')]);
      expectError(v, 9, new RegExp(`: 1 checked, signed for another image \\(${img.digest}\\)$`));
      expect(v.stderrLines[1]).toMatch(
        /^hint: the signature belongs to another digest \(the image was re-pushed or the signature copied\): sign this digest: ghcr-optimize sign .*@sha256:[0-9a-f]{64} --key cosign\.key$/,
      );
      // The original still verifies.
      expectExit(await cli(['verify', `${ref}:1`, '--key', key('a', 'pub')]), 0);
      expect(v.stdout).toBe('');
    });

    it('a wrong key is invalid (exit 9); an unsigned image is unsigned (exit 4)', async ({ expect }) => {
      const { ref } = await pushed('ref/wrong');
      const unsigned = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub')]);
      expectError(unsigned, 4, /^error: no signatures found for .*ref\/wrong@sha256:/);
      expect(unsigned.stderrLines[1]).toMatch(
        /no sha256-.*\.sig signature manifest and no Sigstore bundle referrer/,
      );
      const unsignedJson = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(unsignedJson, 4);
      expect(json<{ error: { kind: string } }>(unsignedJson.stderr).error.kind).toBe('unsigned');
      expect(json<VerifyJson>(unsignedJson.stdout)).toMatchObject({
        status: 'unsigned',
        tag: { status: 'unsigned' },
        referrers: { status: 'unsigned', via: 'tag' },
      });

      await signReferrer(`${ref}:1`, 'a');
      const wrong = await cli(['verify', `${ref}:1`, '--key', key('b', 'pub')]);
      expectError(wrong, 9, /: 1 checked, the signature does not match the public key$/);
      expect(wrong.stderrLines[1]).toMatch(/^hint: check that --key is the public key of the signing key/);
      // A second signer adds a second referrer; each key then verifies its own.
      await signReferrer(`${ref}:1`, 'b');
      const byB = await cli(['verify', `${ref}:1`, '--key', key('b', 'pub'), '--json', '--mode', 'referrer']);
      expectExit(byB, 0);
      const doc = json<VerifyJson>(byB.stdout);
      expect(doc.referrers).toMatchObject({ status: 'verified' });
      expect(doc.referrers!.verified).toHaveLength(1);
      expect(doc.referrers!.rejected).toEqual([
        expect.objectContaining({ reason: 'the signature does not match the public key' }),
      ]);
      expect(doc.tag).toBeUndefined();
    });

    it('signs a multi-platform index as a whole: the referrer’s subject is the index', async ({ expect }) => {
      const amd = makeImage({ architecture: 'amd64', layers: [{ a: 'amd64' }] });
      const arm = makeImage({ architecture: 'arm64', layers: [{ a: 'arm64' }] });
      const idx = makeIndex([amd, arm]);
      await pushImage(reg.url, 'ref/index', 'multi', idx);
      const ref = `${R}/ref/index`;
      const signed = await signReferrer(`${ref}:multi`, 'a', ['-a', 'release=1.0']);
      expect(signed.digest).toBe(idx.digest);
      const r = await referrerOf('ref/index', idx.digest);
      expect(r.manifest.subject).toEqual({ mediaType: OCI_INDEX, size: idx.size, digest: idx.digest });

      const v = await cli([
        'verify',
        `${ref}:multi`,
        '--key',
        key('a', 'pub'),
        '-a',
        'release=1.0',
        '--json',
      ]);
      expectExit(v, 0);
      expect(json<VerifyJson>(v.stdout).referrers!.verified[0]!.annotations).toEqual({ release: '1.0' });
      expectError(
        await cli(['verify', `${ref}:multi`, '--key', key('a', 'pub'), '-a', 'release=2.0']),
        9,
        /annotation release is not "2\.0"$/,
      );
      // The platform manifests themselves were not signed.
      expectError(
        await cli(['verify', `${ref}@${amd.digest}`, '--key', key('a', 'pub')]),
        4,
        /^error: no signatures found/,
      );
    });

    it('a wrong password is one clear line and pushes nothing', async ({ expect }) => {
      const { ref, img } = await pushed('ref/password');
      const before = await http.tags('ref/password');
      const wrong = await cli(['sign', `${ref}:1`, '--key', key('a', 'key'), '--referrer'], {
        COSIGN_PASSWORD: 'not the password',
      });
      expectError(wrong, 2, /a\.key: cannot decrypt the key: wrong password$/);
      expect(wrong.stdout).toBe('');
      expect(await http.tags('ref/password')).toEqual(before);
      expect(await http.getManifest('ref/password', fallbackTag(img.digest))).toBeUndefined();
      expectError(
        await cli(['sign', `${ref}:1`, '--key', key('a', 'key'), '--referrer', '--mode', 'tag']),
        2,
        /--referrer contradicts --mode tag$/,
      );
      expect(await http.tags('ref/password')).toEqual(before);
    });

    it('uses the referrers API when the registry has one: no fallback tag is written', async ({ expect }) => {
      const { img } = await pushed('ref/api');
      const ref = `${front.host}/ref/api`;
      const signed = await signReferrer(`${ref}:1`);
      expect(signed).toMatchObject({ via: 'api', alreadySigned: false });
      expect(signed.fallbackTag).toBeUndefined();
      expect(await http.tags('ref/api')).toEqual(['1']);

      const gets = front.referrerGets;
      const v = await cli(['verify', `${ref}:1`, '--key', key('a', 'pub'), '--json']);
      expectExit(v, 0);
      expect(json<VerifyJson>(v.stdout).referrers).toMatchObject({
        status: 'verified',
        via: 'api',
        verified: [expect.objectContaining({ referrer: signed.referrer })],
      });
      expect(front.referrerGets).toBeGreaterThan(gets);
      // Straight to the registry (no API, no fallback tag) the same image is unsigned.
      expectError(
        await cli(['verify', `${R}/ref/api@${img.digest}`, '--key', key('a', 'pub')]),
        4,
        /no signatures found/,
      );
      // And a second signature of the same key is recognised through the API too.
      expect(await signReferrer(`${ref}:1`)).toMatchObject({
        alreadySigned: true,
        referrer: signed.referrer,
        via: 'api',
      });
    });
  });
