import { constants } from 'node:fs';
import { access, chmod, readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from '@commander-js/extra-typings';
import { NotFoundError, UsageError } from '../../errors.js';
import { RemoteTarget } from '../../content/remote.js';
import { parseLocation, type ImageReference } from '../../ref/index.js';
import type { Repository } from '../../registry/client.js';
import {
  dockerReference,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  readKeyPassword,
  signImage,
  verifyImageSignatures,
} from '../../sign/index.js';
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
): Promise<{ repo: Repository; digest: string; image: string }> {
  const client = await ctx.client([ref.registry]);
  const repo = client.repository(ref.registry, ref.repository);
  const reference = ref.digest ?? ref.tag;
  if (reference === undefined) throw new NotFoundError('no tag or digest to resolve');
  const desc = await new RemoteTarget(repo).resolve(reference, ctx.signal);
  return { repo, digest: desc.digest, image: `${ref.registry}/${ref.repository}@${desc.digest}` };
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

Examples:
  ghcr-optimize sign ghcr.io/OWNER/app@sha256:… --key cosign.key
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
        const annotations = parseAnnotations(opts.annotation);
        const ref = registryReference(reference);
        const keyText = await readKeyRef(opts.key, 'private');
        const password = await readKeyPassword({ stdinTaken: ctx.globals.passwordStdin === true });
        const key = await loadPrivateKey(keyText.text, password, keyText.what);
        password.fill(0);
        const { repo, digest, image } = await resolveImage(ctx, ref);
        if (!ref.digest) {
          ctx.out.warn(
            `${reference} is a tag: signing ${digest}, what it points to now (sign by digest to be sure)`,
          );
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
        ctx.out.result(
          {
            reference,
            image,
            ...result,
            signatureReference,
            key: { type: key.description, fingerprint: key.fingerprint },
          },
          () =>
            result.alreadySigned
              ? `${image} is already signed with this key (${key.fingerprint}); nothing pushed`
              : `Signed ${image} with ${key.description} key ${key.fingerprint}\n` +
                `Pushed ${signatureReference} (${result.signatures} signature${result.signatures === 1 ? '' : 's'})`,
        );
      }),
    );
}

export function verifyCommand(run: Runner) {
  return new Command('verify')
    .description('verify the cosign signatures of an image with a public key (cosign verify --key)')
    .argument('<reference>', 'the signed image or index, e.g. ghcr.io/OWNER/IMAGE:TAG')
    .requiredOption('--key <file>', 'cosign public key (cosign.pub, or env://VARIABLE)')
    .option('-a, --annotation <key=value>', 'require this signed annotation (repeatable)', collect)
    .option('--any-reference', "accept signatures made under another repository name (cosign's default)")
    .addOption(
      new Option(
        '--insecure-ignore-tlog [bool]',
        'accepted for cosign compatibility: there is no tlog',
      ).hideHelp(),
    )
    .addHelpText(
      'after',
      `
Reads the sha256-<hex>.sig signature manifest (written by cosign sign --key or by sign) and checks
each signature: the payload blob against its digest, the signature against the payload with the
public key, and the payload's claims: the image digest, the repository (unless --any-reference)
and any --annotation. Succeeds when at least one signature is valid; otherwise exits 9 with the
reasons. No transparency log is consulted.

Examples:
  ghcr-optimize verify ghcr.io/OWNER/app:1.2.3 --key cosign.pub
  ghcr-optimize verify ghcr.io/OWNER/app@sha256:… --key cosign.pub -a git_sha=abc123 --json`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const annotations = parseAnnotations(opts.annotation);
        const ref = registryReference(reference);
        const keyText = await readKeyRef(opts.key, 'public');
        const key = loadPublicKey(keyText.text, keyText.what);
        const { repo, digest, image } = await resolveImage(ctx, ref);
        const result = await verifyImageSignatures(repo, {
          digest,
          key,
          ...(annotations ? { annotations } : {}),
          ...(opts.anyReference ? { anyReference: true } : {}),
          signal: ctx.signal,
        });
        ctx.out.result(
          {
            reference,
            image,
            ...result,
            key: { type: key.description, fingerprint: key.fingerprint },
          },
          () => {
            const n = result.verified.length;
            const head = `Verified ${image}: ${n} valid signature${n === 1 ? '' : 's'} (${key.description} key ${key.fingerprint})`;
            const table = formatTable(
              ['LAYER', 'PAYLOAD', 'IDENTITY', 'ANNOTATIONS'],
              result.verified.map((v) => [
                String(v.layer),
                v.payloadDigest,
                v.payload.critical.identity['docker-reference'],
                Object.entries(v.payload.optional ?? {})
                  .map(([k, val]) => `${k}=${typeof val === 'string' ? val : JSON.stringify(val)}`)
                  .join(', ') || '-',
              ]),
            );
            const rejected = result.rejected.map((r) => `layer ${r.layer} not valid: ${r.reason}`);
            return [head, table, ...rejected].join('\n');
          },
        );
      }),
    );
}
