/**
 * An OCI image layout directory (image-spec `image-layout.md`) as a `Target`: `oci-layout`,
 * `index.json` whose entries carry `org.opencontainers.image.ref.name`, and `blobs/<alg>/<hex>`.
 * Every read is digest-verified; every write is atomic, and index.json updates are serialised.
 */
import { createReadStream } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { NotFoundError, UsageError, ProtocolError } from '../errors.js';
import { DigestVerifier, computeDigest, isDigest, parseDigest, verifyBytes } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import { parseIndex, parseManifest, type Descriptor, type ImageIndex } from '../oci/schema.js';
import { writeFileAtomic, writeStreamAtomic } from './atomic-file.js';
import { withFileLock } from './file-lock.js';
import type { BlobSource, FetchedManifest, PushBlobOutcome, Target } from './target.js';
import { ensureDir } from '../util/ensure-dir.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = 'oci-layout';
const LAYOUT_VERSION = '1.0.0';
const MANIFEST_LIMIT = 4 * 1024 * 1024;

export class OciLayoutTarget implements Target {
  /** Serialises index.json read-modify-write within this process. */
  #indexLock: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string) {}

  get name(): string {
    return `oci:${this.dir}`;
  }

  /**
   * Opens an existing layout; with `create`, makes an empty one when the directory has none; with
   * `allowMissing`, treats a missing layout as empty without creating anything (dry runs).
   */
  static async open(
    dir: string,
    opts: { create?: boolean; allowMissing?: boolean } = {},
  ): Promise<OciLayoutTarget> {
    const layout = new OciLayoutTarget(dir);
    let text: string;
    try {
      text = await readFile(join(dir, LAYOUT_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (opts.allowMissing && !opts.create) return layout;
      if (!opts.create) {
        throw new NotFoundError(`${dir} is not an OCI image layout (no ${LAYOUT_FILE} file)`, {
          hint: 'point oci: at a directory written by ghcr-optimize, skopeo, crane or buildah',
        });
      }
      await create(dir);
      return layout;
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new ProtocolError(`${join(dir, LAYOUT_FILE)} is not valid JSON`);
    }
    if (typeof version !== 'string' || !version.startsWith('1.')) {
      throw new ProtocolError(`${dir}: unsupported image layout version ${String(version)}`);
    }
    return layout;
  }

  blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.dir, 'blobs', algorithm, hex);
  }

  async readIndex(): Promise<ImageIndex> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.dir, 'index.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
      throw err;
    }
    return parseIndex(bytes, `${this.dir}/index.json`);
  }

  async tags(): Promise<string[]> {
    const index = await this.readIndex();
    const names = index.manifests
      .map((m) => m.annotations?.[REF_NAME_ANNOTATION])
      .filter((n): n is string => !!n);
    return [...new Set(names)];
  }

  async resolve(reference: string): Promise<Descriptor> {
    const index = await this.readIndex();
    if (isDigest(reference)) {
      const entry = index.manifests.find((m) => m.digest === reference);
      if (entry) return stripRefName(entry);
      // Not top-level (e.g. a child of an index): read it to learn its type.
      return (await this.fetchManifest(reference)).descriptor;
    }
    const entry = index.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === reference);
    if (!entry) {
      throw new NotFoundError(`${this.name}:${reference}: no such tag in the layout`, {
        hint: `tags in this layout: ${(await this.tags()).join(', ') || '(none)'}`,
      });
    }
    return stripRefName(entry);
  }

  async fetchManifest(reference: string | Descriptor): Promise<FetchedManifest> {
    const desc =
      typeof reference === 'string'
        ? isDigest(reference)
          ? undefined
          : await this.resolve(reference)
        : reference;
    const digest = desc?.digest ?? (reference as string);
    const what = `manifest ${digest} in ${this.name}`;
    let bytes: Buffer;
    try {
      bytes = await readFile(this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`${what}: missing blob file`);
      throw err;
    }
    if (bytes.length > MANIFEST_LIMIT)
      throw new ProtocolError(`${what} is larger than ${MANIFEST_LIMIT} bytes`);
    verifyBytes(bytes, digest, desc?.size, what);
    const parsed = parseManifest(bytes, desc?.mediaType, what);
    return {
      descriptor: {
        ...(desc ? stripRefName(desc) : {}),
        mediaType: parsed.mediaType,
        digest,
        size: bytes.length,
      },
      bytes,
      parsed,
    };
  }

  fetchBlob(desc: Descriptor): Readable {
    const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest} in ${this.name}`);
    const file = createReadStream(this.blobPath(desc.digest));
    file.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        verifier.destroy(new NotFoundError(`blob ${desc.digest} is missing from ${this.name}`));
    });
    pipeline(file, verifier, () => {
      // Errors surface on `verifier`, which the caller reads.
    });
    return verifier;
  }

  /** Present with the descriptor's size: a truncated file (say, torn by a power cut) is not "present". */
  async exists(desc: Descriptor): Promise<boolean> {
    try {
      return (await stat(this.blobPath(desc.digest))).size === desc.size;
    } catch {
      return false;
    }
  }

  async pushBlob(desc: Descriptor, source: BlobSource): Promise<PushBlobOutcome> {
    if (await this.exists(desc)) return 'exists';
    const opened = source.open();
    const readable =
      opened instanceof Uint8Array
        ? Readable.from([opened])
        : opened instanceof Readable
          ? opened
          : Readable.from(opened);
    const checks = source.verified ? [] : [new DigestVerifier(desc.digest, desc.size)];
    await writeStreamAtomic(this.blobPath(desc.digest), readable, ...checks);
    return 'uploaded';
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<Descriptor> {
    const digest = computeDigest(bytes);
    const desc: Descriptor = { mediaType, digest, size: bytes.byteLength };
    if (!(await this.exists(desc))) await writeFileAtomic(this.blobPath(digest), bytes);
    if (tag !== undefined) await this.tag(desc, tag);
    return desc;
  }

  /** Points `tag` at `desc` in index.json, replacing an entry with the same name. */
  async tag(
    desc: Descriptor,
    tag: string,
    extra: Pick<Descriptor, 'platform' | 'annotations'> = {},
  ): Promise<void> {
    if (tag.length === 0) throw new UsageError('an OCI layout tag cannot be empty');
    // In-process queue first (cheap), then a lock file against other processes tagging too.
    const run = this.#indexLock.then(() =>
      withFileLock(join(this.dir, 'index.json.lock'), async () => {
        const index = await this.readIndex();
        const entry: Descriptor = {
          mediaType: desc.mediaType,
          digest: desc.digest,
          size: desc.size,
          ...(extra.platform ? { platform: extra.platform } : {}),
          annotations: { ...extra.annotations, [REF_NAME_ANNOTATION]: tag },
        };
        const manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== tag);
        manifests.push(entry);
        await writeFileAtomic(join(this.dir, 'index.json'), JSON.stringify({ ...index, manifests }));
      }),
    );
    this.#indexLock = run.catch(() => undefined);
    await run;
  }
}

/**
 * Makes `dir` an empty layout, under the index lock so writers racing to create the same layout
 * agree. A directory that already holds something else is refused: it is likely a typo.
 */
async function create(dir: string): Promise<void> {
  await ensureDir(dir);
  await withFileLock(join(dir, 'index.json.lock'), async () => {
    if (
      await access(join(dir, LAYOUT_FILE)).then(
        () => true,
        () => false,
      )
    )
      return; // another writer won
    const existing = (await readdir(dir)).filter((f) => f !== 'index.json.lock' && !f.startsWith('.tmp-'));
    if (existing.length > 0) {
      throw new UsageError(`${dir} exists and is not an OCI image layout`, {
        hint: 'write to a new or empty directory, or to an existing layout',
      });
    }
    await ensureDir(join(dir, 'blobs', 'sha256'));
    await writeFileAtomic(join(dir, 'index.json'), JSON.stringify(emptyIndex()));
    // Written last: its presence is what marks the directory as a complete layout.
    await writeFileAtomic(join(dir, LAYOUT_FILE), JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }));
  });
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}

/** A layout's index entry carries our ref-name annotation; the descriptor a caller sees should not. */
function stripRefName(desc: Descriptor): Descriptor {
  if (!desc.annotations?.[REF_NAME_ANNOTATION]) return desc;
  const { [REF_NAME_ANNOTATION]: _name, ...rest } = desc.annotations;
  const { annotations: _a, ...base } = desc;
  return Object.keys(rest).length > 0 ? { ...base, annotations: rest } : base;
}
