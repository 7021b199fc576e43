import { constants } from 'node:fs';
import { access, chmod, readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from '@commander-js/extra-typings';
import { NotFoundError, UsageError } from '../../errors.js';
import { RemoteTarget } from '../../content/remote.js';
import { parseLocation, type ImageReference } from '../../ref/index.js';
import type { Descriptor } from '../../oci/schema.js';
import type { Repository } from '../../registry/client.js';
import {
  dockerReference,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  readKeyPassword,
  signImage,
} from '../../sign/index.js';
import { assertBundleKey } from '../../sign/bundle.js';
import { signImageReferrer } from '../../sign/referrer.js';
import {
  checkImageSignatures,
  signatureReportError,
  type SignatureMode,
  type SignatureReport,
} from '../../sign/verify.js';
import type { Context, Runner } from '../context.js';
import { formatTable } from '../output.js';
import { collect } from '../options.js';

/** `--annotation key=value` pairs; the last value of a key wins, as in a Go map. */
function parseAnnotations(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--annotation "${item}" is not key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A registry reference; signatures cannot live in an OCI layout or an archive. */
function registryReference(input: string): ImageReference {
  const loc = parseLocation(input);
  if (loc.transport !== 'docker') {
    throw new UsageError(`${input}: cosign signatures live in a registry`, {
      hint: 'give a registry reference, e.g. ghcr.io/OWNER/IMAGE:TAG or IMAGE@sha256:…',
    });
  }
  return loc.ref;
}

/** The text of a `--key` value: a file, or `env://NAME` as cosign accepts it. */
async function readKeyRef(
  ref: string,
  purpose: 'private' | 'public',
): Promise<{ text: string; what: string }> {
  const env = /^env:\/\/(.+)$/.exec(ref)?.[1];
  if (env !== undefined) {
    const text = process.env[env];
    if (!text) throw new UsageError(`--key ${ref}: environment variable ${env} is not set`);
    return { text, what: `$${env}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) {
    throw new UsageError(`--key ${ref}: KMS and other key URIs are not supported`, {
      hint: `give a cosign ${purpose === 'private' ? '.key' : '.pub'} file or env://VARIABLE`,
    });
  }
  try {
    return { text: await readFile(ref, 'utf8'), what: ref };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`--key ${ref}: no such file`, {
        hint: purpose === 'private' ? 'create a key pair with "ghcr-optimize generate-key-pair"' : undefined,
      });
    }
    throw err;
  }
}

async function resolveImage(
  ctx: Context,
  ref: ImageReference,
): Promise<{ repo: Repository; digest: string; image: string; descriptor: Descriptor }> {
  const client = await ctx.client([ref.registry]);
  const repo = client.repository(ref.registry, ref.repository);
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined) throw new NotFoundError('no tag or digest to resolve');
  const desc = await new RemoteTarget(repo).resolve(reference, ctx.signal);
  return {
    repo,
    digest: desc.digest,
    image: `${ref.registry}/${ref.repository}@${desc.digest}`,
    descriptor: desc,
  };
}

export function generateKeyPairCommand(run: Runner) {
  return new Command('generate-key-pair')
    .description('create a cosign-compatible key pair (encrypted cosign.key, cosign.pub)')
    .option('--output-key-prefix <prefix>', 'write PREFIX.key and PREFIX.pub', 'cosign')
    .option('--force', 'overwrite existing key files')
    .addHelpText(
      'after',
      `
The private key is an ECDSA P-256 key in cosign's format (PEM "ENCRYPTED SIGSTORE PRIVATE KEY":
scrypt N=65536 and NaCl secretbox, as cosign writes it); cosign can use it, and keys made by
cosign work here. The password comes from $COSIGN_PASSWORD (empty is allowed), else a prompt on
a terminal, else standard input.

Examples:
  COSIGN_PASSWORD=… ghcr-optimize generate-key-pair
  COSIGN_PASSWORD= ghcr-optimize generate-key-pair --output-key-prefix ci/release --json`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const prefix = opts.outputKeyPrefix;
        if (prefix === '') throw new UsageError('--output-key-prefix must not be empty');
        const keyFile = `${prefix}.key`;
        const pubFile = `${prefix}.pub`;
        if (!opts.force) {
          for (const f of [keyFile, pubFile]) {
            const exists = await access(f, constants.F_OK).then(
              () => true,
              () => false,
            );
            if (exists) {
              throw new UsageError(`${f} already exists`, {
                hint: 'remove it, choose another --output-key-prefix, or pass --force',
              });
            }
          }
        }
        const password = await readKeyPassword({
          confirm: true,
          stdinTaken: ctx.globals.passwordStdin === true,
        });
        const pair = await generateKeyPair(password);
        password.fill(0);
        const flag = opts.force ? 'w' : 'wx';
        await writeFile(keyFile, pair.privateKeyPem, { mode: 0o600, flag });
        // `mode` only applies to a new file: an overwritten key must not stay readable by others.
        if (opts.force) await chmod(keyFile, 0o600);
        await writeFile(pubFile, pair.publicKeyPem, { mode: 0o644, flag });
        ctx.out.result(
          { privateKey: keyFile, publicKey: pubFile, keyType: 'ECDSA P-256', fingerprint: pair.fingerprint },
          () => `Private key written to ${keyFile}\nPublic key written to ${pubFile}`,
        );
      }),
    );
}

export function signCommand(run: Runner) {
  return new Command('sign')
    .description('sign an image with a cosign key and push the signature (cosign sign --key)')
    .argument('<reference>', 'the image or index to sign, e.g. ghcr.io/OWNER/IMAGE@sha256:…')
    .requiredOption('--key <file>', 'cosign private key (cosign.key, or env://VARIABLE)')
    .option('-a, --annotation <key=value>', 'signed annotation in the payload (repeatable)', collect)
    .addOption(
      new Option(
        '--mode <mode>',
        'where the signature goes: the cosign .sig tag (default), or a Sigstore bundle referrer',
      ).choices(['tag', 'referrer'] as const),
    )
    .option('--referrer', 'same as --mode referrer')
    .addOption(
      new Option('--tlog-upload <bool>', 'upload to a transparency log (only "false" is supported)').default(
        'false',
      ),
    )
    .addOption(new Option('-y, --yes', 'accepted for cosign compatibility (never prompts)').hideHelp())
    .addHelpText(
      'after',
      `
Signs the manifest digest the reference resolves to (an index is signed as a whole) and adds the
signature to the sha256-<hex>.sig signature manifest in the same repository, keeping the
signatures already there; cosign verify --key reads it. The key password comes from
$COSIGN_PASSWORD, a prompt, or standard input. COSIGN_DOCKER_MEDIA_TYPES=1 writes a Docker v2s2
signature manifest for registries that refuse OCI ones. Nothing is sent to a transparency log.

--mode referrer (or --referrer) writes what cosign 2.4+ writes with --new-bundle-format instead:
a Sigstore bundle v0.3 (a DSSE in-toto statement naming the digest, predicate type
https://sigstore.dev/cosign/sign/v1, public-key verification material) in an OCI 1.1 referrer
manifest whose subject is the image; the registry's referrers API indexes it, or, when it has
none (GHCR, distribution 2.x), the sha256-<hex> referrers tag lists it. Needs an ECDSA P-256 or
RSA key. The bundle is signed before anything is uploaded: a wrong password pushes nothing.

Examples:
  ghcr-optimize sign ghcr.io/OWNER/app@sha256:… --key cosign.key
  ghcr-optimize sign ghcr.io/OWNER/app@sha256:… --key cosign.key --referrer
  ghcr-optimize sign ghcr.io/OWNER/app:1.2.3 --key cosign.key -a git_sha=$GITHUB_SHA
  COSIGN_PRIVATE_KEY="$(cat cosign.key)" ghcr-optimize sign ghcr.io/OWNER/app:1.2.3 --key env://COSIGN_PRIVATE_KEY`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        if (opts.tlogUpload !== 'false') {
          throw new UsageError(`--tlog-upload=${opts.tlogUpload} is not supported`, {
            hint: 'signatures are stored in the registry only; pass --tlog-upload=false (the default)',
          });
        }
        if (opts.referrer && opts.mode === 'tag') throw new UsageError('--referrer contradicts --mode tag');
        const mode = opts.referrer ? 'referrer' : (opts.mode ?? 'tag');
        const annotations = parseAnnotations(opts.annotation);
        const ref = registryReference(reference);
        const keyText = await readKeyRef(opts.key, 'private');
        const password = await readKeyPassword({ stdinTaken: ctx.globals.passwordStdin === true });
        const key = await loadPrivateKey(keyText.text, password, keyText.what);
        password.fill(0);
        if (mode === 'referrer') assertBundleKey(key);
        const { repo, digest, image, descriptor } = await resolveImage(ctx, ref);
        if (!ref.digest) {
          ctx.out.warn(
            `${reference} is a tag: signing ${digest}, what it points to now (sign by digest to be sure)`,
          );
        }
        const keyInfo = { type: key.description, fingerprint: key.fingerprint };
        if (mode === 'referrer') {
          const result = await signImageReferrer(repo, {
            subject: descriptor,
            key,
            ...(annotations ? { annotations } : {}),
            signal: ctx.signal,
          });
          const where =
            result.via === 'api'
              ? 'indexed by the registry (referrers API)'
              : `listed in ${ref.registry}/${ref.repository}:${result.fallbackTag ?? '(fallback tag)'}`;
          ctx.out.result({ reference, image, mode, ...result, key: keyInfo }, () =>
            result.alreadySigned
              ? `${image} already has a Sigstore bundle signature of this key (${key.fingerprint}): ${result.referrer}; nothing pushed`
              : `Signed ${image} with ${key.description} key ${key.fingerprint}\n` +
                `Pushed Sigstore bundle referrer ${result.referrer}, ${where}`,
          );
          return;
        }
        const mediaTypes = process.env.COSIGN_DOCKER_MEDIA_TYPES === '1' ? 'docker' : 'oci';
        const result = await signImage(repo, {
          digest,
          reference: dockerReference(ref.registry, ref.repository),
          key,
          ...(annotations ? { annotations } : {}),
          mediaTypes,
          signal: ctx.signal,
        });
        const signatureReference = `${ref.registry}/${ref.repository}:${result.signatureTag}`;
        ctx.out.result({ reference, image, mode, ...result, signatureReference, key: keyInfo }, () =>
          result.alreadySigned
            ? `${image} is already signed with this key (${key.fingerprint}); nothing pushed`
            : `Signed ${image} with ${key.description} key ${key.fingerprint}\n` +
              `Pushed ${signatureReference} (${result.signatures} signature${result.signatures === 1 ? '' : 's'})`,
        );
      }),
    );
}

/** The `verify --json` document: the `.sig` results at the top level (as before), both kinds below. */
function reportJson(report: SignatureReport): Record<string, unknown> {
  const { tag, referrers } = report;
  return {
    digest: report.digest,
    status: report.status,
    ...(tag ? { signatureTag: tag.signatureTag, verified: tag.verified, rejected: tag.rejected } : {}),
    ...(tag
      ? {
          tag: {
            status: tag.status,
            signatureTag: tag.signatureTag,
            signatures: tag.layers,
            verified: tag.verified,
            rejected: tag.rejected,
          },
        }
      : {}),
    ...(referrers ? { referrers } : {}),
  };
}

function annotationText(annotations: Record<string, unknown> | null | undefined): string {
  return (
    Object.entries(annotations ?? {})
      .map(([k, val]) => `${k}=${typeof val === 'string' ? val : JSON.stringify(val)}`)
      .join(', ') || '-'
  );
}

function renderReport(
  image: string,
  report: SignatureReport,
  key: { description: string; fingerprint: string },
): string {
  const { tag, referrers } = report;
  const n = (tag?.verified.length ?? 0) + (referrers?.verified.length ?? 0);
  const lines = [
    `Verified ${image}: ${n} valid signature${n === 1 ? '' : 's'} (${key.description} key ${key.fingerprint})`,
  ];
  if (tag) lines.push(`  .sig tag: ${tag.status} (${tag.verified.length} of ${tag.layers} valid)`);
  if (referrers) {
    const checked = referrers.verified.length + referrers.rejected.length;
    const via = referrers.via === 'api' ? 'referrers API' : 'fallback tag';
    lines.push(
      `  Sigstore bundle referrers: ${referrers.status} (${referrers.verified.length} of ${checked} valid, via the ${via})`,
    );
  }
  lines.push(
    formatTable(
      ['SIGNATURE', 'DIGEST', 'IDENTITY', 'ANNOTATIONS'],
      [
        ...(tag?.verified ?? []).map((v) => [
          `.sig layer ${v.layer}`,
          v.payloadDigest,
          v.payload.critical.identity['docker-reference'],
          annotationText(v.payload.optional),
        ]),
        ...(referrers?.verified ?? []).map((v) => [
          'bundle referrer',
          v.referrer,
          '-',
          annotationText(v.annotations),
        ]),
      ],
    ),
  );
  for (const r of tag?.rejected ?? []) lines.push(`layer ${r.layer} not valid: ${r.reason}`);
  for (const r of referrers?.rejected ?? []) lines.push(`referrer ${r.referrer} not valid: ${r.reason}`);
  for (const r of referrers?.ignored ?? []) lines.push(`referrer ${r.referrer} skipped: ${r.reason}`);
  return lines.join('\n');
}

export function verifyCommand(run: Runner) {
  return new Command('verify')
    .description('verify the signatures of an image with a public key (cosign verify --key)')
    .argument('<reference>', 'the signed image or index, e.g. ghcr.io/OWNER/IMAGE:TAG')
    .requiredOption('--key <file>', 'cosign public key (cosign.pub, or env://VARIABLE)')
    .option('-a, --annotation <key=value>', 'require this signed annotation (repeatable)', collect)
    .option('--any-reference', "accept signatures made under another repository name (cosign's default)")
    .addOption(
      new Option('--mode <mode>', 'where to look: the .sig tag, bundle referrers, or both')
        .choices(['all', 'tag', 'referrer'] as const)
        .default('all' as const),
    )
    .addOption(
      new Option(
        '--insecure-ignore-tlog [bool]',
        'accepted for cosign compatibility: there is no tlog',
      ).hideHelp(),
    )
    .addHelpText(
      'after',
      `
Checks the signatures of the digest the reference resolves to (an index as a whole) in both
places sign writes them:
  .sig tag      the sha256-<hex>.sig signature manifest (cosign sign --key): each payload blob
                against its digest, its signature against the public key, and its claims: the
                image digest, the repository (unless --any-reference) and any --annotation;
  referrers     Sigstore bundle v0.3 referrers (sign --referrer, cosign --new-bundle-format),
                found through the referrers API or the sha256-<hex> fallback tag: the bundle's
                structure, its DSSE signature (@sigstore/verify, the key as the only trust root),
                and its in-toto statement: predicate https://sigstore.dev/cosign/sign/v1, a
                subject naming the digest, and any --annotation.
Each place is verified (a valid signature), unsigned (none) or invalid (signatures, none valid).
Exit 0 when one place is verified and no checked place is invalid; exit 4 when unsigned ("no
signatures found", --json error kind "unsigned"); exit 9 when invalid, with the reasons (kind
"policy"); with --json the full report is printed on stdout either way. --mode limits
the check to one place. No transparency log is consulted.

Examples:
  ghcr-optimize verify ghcr.io/OWNER/app:1.2.3 --key cosign.pub
  ghcr-optimize verify ghcr.io/OWNER/app@sha256:… --key cosign.pub --mode referrer
  ghcr-optimize verify ghcr.io/OWNER/app@sha256:… --key cosign.pub -a git_sha=abc123 --json`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const annotations = parseAnnotations(opts.annotation);
        const ref = registryReference(reference);
        const keyText = await readKeyRef(opts.key, 'public');
        const key = loadPublicKey(keyText.text, keyText.what);
        const { repo, digest, image } = await resolveImage(ctx, ref);
        const modes: SignatureMode[] = opts.mode === 'all' ? ['tag', 'referrer'] : [opts.mode];
        const report = await checkImageSignatures(repo, {
          digest,
          key,
          modes,
          ...(annotations ? { annotations } : {}),
          ...(opts.anyReference ? { anyReference: true } : {}),
          signal: ctx.signal,
        });
        const failure = signatureReportError(repo, report, key);
        const doc = {
          reference,
          image,
          ...reportJson(report),
          key: { type: key.description, fingerprint: key.fingerprint },
        };
        // A failure is the error line alone in text; --json keeps the whole report for machines.
        if (failure && !ctx.globals.json) throw failure;
        ctx.out.result(doc, () => renderReport(image, report, key));
        if (failure) throw failure;
      }),
    );
}
