/**
 * The OCI Distribution client: ping, catalog, tags, manifests, blobs, uploads, mounts and
 * referrers for one registry host at a time, on top of the transport (HTTP) and the
 * authenticator (credentials, tokens). Every manifest and blob read is checked against its digest.
 */
import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { IntegrityError, NotFoundError, ProtocolError } from '../errors.js';
import { MANIFEST_ACCEPT, MediaType, stripParams } from '../oci/media-types.js';
import { DigestVerifier, computeDigest, parseDigest, verifyBytes } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/schema.js';
import { readSmallBlob, type BlobSource, type FetchedManifest } from '../oci/content.js';
import { Authenticator, type CredentialSource } from './auth.js';
import { findCredential } from './credentials/index.js';
import { nextLink } from './link.js';
import { errorFromBody, responseError, parseOciErrors, sanitizeServerText } from './response-error.js';
import { CATALOG_SCOPE, repositoryScope } from './scope.js';
import { isRetryableError } from './retry.js';
import { parseChallenges } from './challenge.js';
import {
  Transport,
  toNetworkError,
  type BodySource,
  type HttpRequest,
  type HttpResponse,
  type TransportOptions,
} from './transport.js';

/** A registry must never make us buffer more than this for one manifest (the spec's SHOULD is 4 MB). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
const PAGE_SIZE = 1000;
const MAX_PAGES = 10_000;
const DEFAULT_CHUNK = 8 * 1024 * 1024;

export interface RegistryClientOptions extends TransportOptions {
  credentials?: CredentialSource;
  /** How many times an interrupted blob download resumes with a Range request. */
  resumeAttempts?: number;
}

export interface PingResult {
  status: number;
  apiVersion?: string;
  authScheme?: string;
  realm?: string;
}

export interface PushBlobOptions {
  /** Repositories on the same registry that may already hold the blob (cross-repo mount). */
  mountFrom?: string[];
  /** Force chunked PATCH uploads of this size (bytes); default monolithic with chunked fallback. */
  chunkSize?: number;
  signal?: AbortSignal;
}

export type PushBlobResult = 'uploaded' | 'mounted';

export interface ReferrersResult {
  descriptors: Descriptor[];
  /** How they were found: the OCI 1.1 API, or the `sha256-<hex>` tag-schema fallback. */
  via: 'api' | 'tag';
}

/** The referrers tag schema: `<alg>-<hex>`, alg truncated to 32 and hex to 64 characters. */
export function referrersFallbackTag(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  const clean = (s: string): string => s.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `${clean(algorithm).slice(0, 32)}-${clean(hex).slice(0, 64)}`;
}

export class RegistryClient {
  readonly transport: Transport;
  readonly auth: Authenticator;
  readonly #opts: RegistryClientOptions;

  constructor(opts: RegistryClientOptions = {}) {
    this.#opts = opts;
    this.transport = new Transport(opts);
    this.auth = new Authenticator(this.transport, {
      credentials: opts.credentials ?? ((registry) => findCredential(registry)),
    });
  }

  repository(registry: string, repository: string): Repository {
    return new Repository(this, registry, repository);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /**
   * Sends a request to `registry`, attaching credentials for `scopes` and answering one 401
   * challenge. Authorization is only ever sent to the registry's own origin.
   */
  async send(
    registry: string,
    scopes: string[],
    req: Omit<HttpRequest, 'url'> & { url: string | URL },
  ): Promise<HttpResponse> {
    const base = await this.transport.origin(registry, req.signal);
    const url = typeof req.url === 'string' ? new URL(req.url, base) : req.url;
    const sameOrigin = url.origin === base.origin;
    const attempt = async (authorization: string | undefined): Promise<HttpResponse> =>
      this.transport.request({
        ...req,
        url,
        headers: { ...req.headers, ...(authorization && sameOrigin ? { authorization } : {}) },
      });
    let res = await attempt(
      sameOrigin ? await this.auth.authorization(registry, scopes, req.signal) : undefined,
    );
    if (res.status === 401 && sameOrigin) {
      const challenge = res.headerAll('www-authenticate');
      await res.dump();
      // Every BodySource can be sent again (bytes, or a factory that re-opens the content).
      res = await attempt(await this.auth.onUnauthorized(registry, challenge, scopes, req.signal));
    }
    if (res.status === 401 || res.status === 403) {
      const text = await res.text(64 * 1024).catch(() => '');
      const first = parseOciErrors(text)?.[0];
      throw await this.auth.deniedError(
        registry,
        res.status,
        scopes,
        first ? sanitizeServerText(first.message ?? first.code) : undefined,
      );
    }
    return res;
  }

  /** `GET /v2/`: reachability, API version, and how the registry authenticates. */
  async ping(registry: string, signal?: AbortSignal): Promise<PingResult> {
    const base = await this.transport.origin(registry, signal);
    const res = await this.transport.request({ method: 'GET', url: new URL('/v2/', base), signal });
    const apiVersion = res.header('docker-distribution-api-version');
    const challenge = res.header('www-authenticate');
    const contentType = stripParams(res.header('content-type')) ?? '';
    await res.dump();
    if (res.status === 404 || (res.status === 200 && !apiVersion && contentType.startsWith('text/html'))) {
      throw new ProtocolError(
        `${registry} does not look like an OCI registry (GET /v2/ → HTTP ${res.status})`,
        {
          hint: 'check the host and port; the registry API lives under /v2/',
        },
      );
    }
    if (res.status !== 200 && res.status !== 401) {
      throw new ProtocolError(`${registry}: GET /v2/ answered HTTP ${res.status}`, {
        hint: res.status >= 500 ? 'the registry is failing; try again later' : 'is this an OCI registry?',
      });
    }
    const first = parseChallenges(challenge)[0];
    return {
      status: res.status,
      ...(apiVersion ? { apiVersion } : {}),
      ...(first ? { authScheme: first.scheme } : {}),
      ...(first?.params.realm ? { realm: first.params.realm } : {}),
    };
  }

  /** Checks that credentials work: /v2/ with authentication, answering the challenge if any. */
  async checkAuth(registry: string, signal?: AbortSignal): Promise<void> {
    const res = await this.send(registry, [], { method: 'GET', url: '/v2/', signal });
    if (res.status !== 200) throw await responseError(res, { what: `${registry} /v2/` });
    await res.dump();
  }

  /** `GET /v2/_catalog`, following `Link` pagination. Not offered by ghcr.io or Docker Hub. */
  async catalog(registry: string, signal?: AbortSignal): Promise<string[]> {
    return this.paginate(
      registry,
      [CATALOG_SCOPE],
      `/v2/_catalog?n=${PAGE_SIZE}`,
      'repositories',
      `catalog of ${registry}`,
      signal,
    );
  }

  /** Collects a paginated list; copes with registries that ignore `n`/`last` and with `null` lists. */
  async paginate(
    registry: string,
    scopes: string[],
    firstPath: string,
    field: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const seen = new Set<string>();
    const visited = new Set<string>();
    let url: URL | undefined = new URL(firstPath, await this.transport.origin(registry, signal));
    for (let page = 0; url && page < MAX_PAGES; page++) {
      if (visited.has(url.href)) break; // a registry that links a page to itself
      visited.add(url.href);
      const res = await this.send(registry, scopes, { method: 'GET', url, signal });
      if (res.status !== 200) throw await responseError(res, { what });
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(await res.text(MANIFEST_LIMIT)) as Record<string, unknown>;
      } catch {
        throw new ProtocolError(`${what}: the registry returned invalid JSON`);
      }
      const items = doc[field];
      if (items !== null && items !== undefined && !Array.isArray(items)) {
        throw new ProtocolError(`${what}: "${field}" is not a list`);
      }
      const before = seen.size;
      for (const item of (items as unknown[] | null) ?? []) if (typeof item === 'string') seen.add(item);
      url = nextLink(res.headerAll('link'), url);
      if (url && seen.size === before) break; // a page that adds nothing: stop rather than loop
    }
    return [...seen];
  }

  get resumeAttempts(): number {
    return this.#opts.resumeAttempts ?? 5;
  }
}

export interface ManifestRef {
  /** A tag or a digest. */
  reference: string;
}

/** One repository on one registry. */
export class Repository {
  /** Learned on the first referrers call: does this registry serve the OCI 1.1 referrers API? */
  #referrersApi: boolean | undefined;

  constructor(
    readonly client: RegistryClient,
    readonly registry: string,
    readonly name: string,
  ) {}

  get pull(): string[] {
    return [repositoryScope(this.name, 'pull')];
  }

  get push(): string[] {
    return [repositoryScope(this.name, 'pull', 'push')];
  }

  #what(reference?: string): string {
    if (!reference) return `${this.registry}/${this.name}`;
    return reference.includes(':')
      ? `${this.registry}/${this.name}@${reference}`
      : `${this.registry}/${this.name}:${reference}`;
  }

  async tags(signal?: AbortSignal): Promise<string[]> {
    return this.client.paginate(
      this.registry,
      this.pull,
      `/v2/${this.name}/tags/list?n=${PAGE_SIZE}`,
      'tags',
      `tags of ${this.#what()}`,
      signal,
    );
  }

  /**
   * One request (tags/list?n=1): false only when the registry answers 404 NAME_UNKNOWN, i.e. the
   * repository does not exist yet; anything else, including errors, counts as "may exist".
   */
  async exists(signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.client.send(this.registry, this.pull, {
        method: 'GET',
        url: `/v2/${this.name}/tags/list?n=1`,
        signal,
      });
      if (res.status !== 404) {
        await res.dump();
        return true;
      }
      const text = await res.text(64 * 1024).catch(() => '');
      return parseOciErrors(text)?.[0]?.code !== 'NAME_UNKNOWN';
    } catch {
      return true;
    }
  }

  /** HEAD a manifest: its descriptor, or undefined when it does not exist. */
  async headManifest(reference: string, signal?: AbortSignal): Promise<Descriptor | undefined> {
    const res = await this.client.send(this.registry, this.pull, {
      method: 'HEAD',
      url: `/v2/${this.name}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      signal,
    });
    await res.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await responseError(res, { what: `manifest ${this.#what(reference)}` });
    const digest = res.header('docker-content-digest');
    const size = Number(res.header('content-length'));
    const mediaType = stripParams(res.header('content-type'));
    if (!digest || !Number.isFinite(size) || !mediaType) {
      // Some registries omit the digest on HEAD; the GET computes it from the bytes.
      return (await this.getManifest(reference, signal)).descriptor;
    }
    if (reference.includes(':') && digest !== reference) {
      throw new IntegrityError(`manifest ${this.#what(reference)}: registry reported digest ${digest}`);
    }
    return { mediaType, digest, size };
  }

  /** GET a manifest by tag or digest; bounded, digest-verified, schema-validated. */
  async getManifest(
    reference: string,
    signal?: AbortSignal,
    accept: readonly string[] = MANIFEST_ACCEPT,
  ): Promise<FetchedManifest> {
    const what = `manifest ${this.#what(reference)}`;
    const res = await this.client.send(this.registry, this.pull, {
      method: 'GET',
      url: `/v2/${this.name}/manifests/${reference}`,
      headers: { accept: accept.join(', ') },
      signal,
    });
    if (res.status !== 200) throw await responseError(res, { what });
    const declared = Number(res.header('content-length'));
    if (Number.isFinite(declared) && declared > MANIFEST_LIMIT) {
      await res.dump();
      throw new IntegrityError(
        `${what} is ${declared} bytes, over the ${MANIFEST_LIMIT}-byte manifest limit`,
      );
    }
    const bytes = await res.bytes(MANIFEST_LIMIT);
    const byDigest = reference.includes(':');
    let digest: string;
    if (byDigest) {
      verifyBytes(bytes, reference, undefined, what);
      digest = reference;
    } else {
      digest = computeDigest(bytes);
    }
    const parsed = parseManifest(bytes, res.header('content-type'), what);
    return { descriptor: { mediaType: parsed.mediaType, digest, size: bytes.length }, bytes, parsed };
  }

  /** PUT a manifest under a tag or its digest; returns its descriptor. */
  async putManifest(
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    signal?: AbortSignal,
  ): Promise<Descriptor & { subjectAccepted: boolean }> {
    const digest = computeDigest(bytes);
    const what = `push manifest ${this.#what(reference)}`;
    let res: HttpResponse;
    for (let attempt = 0; ; attempt++) {
      res = await this.client.send(this.registry, this.push, {
        method: 'PUT',
        url: `/v2/${this.name}/manifests/${reference}`,
        headers: { 'content-type': mediaType },
        body: bytes,
        signal,
      });
      if (res.status === 201 || res.status === 200 || res.status === 202) break;
      const text = await res.text(64 * 1024).catch(() => '');
      // distribution 2.8 answers DIGEST_INVALID to one of two concurrent writers of the same
      // manifest; the other write succeeded, so the same PUT goes through when repeated.
      const racing =
        res.status === 400 && parseOciErrors(text)?.[0]?.code === 'DIGEST_INVALID' && attempt < 2;
      if (!racing) throw errorFromBody(res.status, text, { what });
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
    await res.dump();
    const reported = res.header('docker-content-digest');
    if (reported && reported.startsWith('sha256:') && reported !== digest) {
      throw new IntegrityError(`${what}: registry stored ${reported}, expected ${digest}`);
    }
    return {
      mediaType,
      digest,
      size: bytes.byteLength,
      subjectAccepted: res.header('oci-subject') !== undefined,
    };
  }

  /**
   * DELETE a manifest. A tag delete that the registry refuses (distribution answers 400/405 and
   * wants a digest) falls back to deleting the digest the tag points at — which removes every tag
   * on that digest, so it only happens when the caller allows it.
   */
  async deleteManifest(
    reference: string,
    opts: { fallbackToDigest?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ deleted: string; viaDigest: boolean }> {
    const scopes = [repositoryScope(this.name, 'delete')];
    const del = (ref: string): Promise<HttpResponse> =>
      this.client.send(this.registry, scopes, {
        method: 'DELETE',
        url: `/v2/${this.name}/manifests/${ref}`,
        signal: opts.signal,
      });
    let res = await del(reference);
    if (res.status === 202 || res.status === 200) {
      await res.dump();
      return { deleted: reference, viaDigest: reference.includes(':') };
    }
    const isTag = !reference.includes(':');
    if (isTag && opts.fallbackToDigest && (res.status === 400 || res.status === 405 || res.status === 501)) {
      await res.dump();
      const desc = await this.headManifest(reference, opts.signal);
      if (!desc) throw new NotFoundError(`manifest ${this.#what(reference)}: not found`);
      res = await del(desc.digest);
      if (res.status === 202 || res.status === 200) {
        await res.dump();
        return { deleted: desc.digest, viaDigest: true };
      }
    }
    throw await responseError(res, { what: `delete manifest ${this.#what(reference)}` });
  }

  /** HEAD a blob: its size, or undefined when the repository does not have it. */
  async headBlob(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    const res = await this.client.send(this.registry, this.pull, {
      method: 'HEAD',
      url: `/v2/${this.name}/blobs/${digest}`,
      signal,
    });
    await res.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await responseError(res, { what: `blob ${digest} in ${this.#what()}` });
    const size = Number(res.header('content-length'));
    return Number.isFinite(size) ? size : -1;
  }

  /**
   * A verified stream of a blob. It errors (and emits nothing more) if the content does not match
   * the descriptor; an interrupted download resumes with `Range` from where it stopped.
   */
  getBlob(desc: Pick<Descriptor, 'digest' | 'size'>, signal?: AbortSignal): Readable {
    const verifier = new DigestVerifier(desc.digest, desc.size, `blob ${desc.digest}`);
    pipeline(Readable.from(this.#blobChunks(desc, signal)), verifier, () => {
      // Errors reach the consumer through `verifier`; nothing else to do here.
    });
    return verifier;
  }

  /**
   * The bytes of a blob with size and digest checked on the fly, for a registry→registry copy: no
   * stream layers (one generator step per chunk), and the digest is compared after the last chunk
   * and before the generator returns, so an upload fed from it fails before its final PUT — the
   * destination never commits bytes we did not verify, whether or not it checks `?digest=` itself.
   * Resumes like getBlob.
   */
  async *blobChunks(
    desc: Pick<Descriptor, 'digest' | 'size'>,
    signal?: AbortSignal,
    onChunk?: (bytes: number) => void,
  ): AsyncGenerator<Buffer> {
    const { algorithm } = parseDigest(desc.digest);
    const hash = createHash(algorithm);
    for await (const chunk of this.#blobChunks(desc, signal, {
      checkSize: true,
      ...(onChunk ? { onChunk } : {}),
    })) {
      hash.update(chunk);
      yield chunk;
    }
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== desc.digest) {
      throw new IntegrityError(`blob ${desc.digest}: the registry served content with digest ${actual}`, {
        hint: 'the source registry served different content than the descriptor says; nothing was kept',
      });
    }
  }

  /** Reads a small blob (a config, an artifact) fully, verified, refusing more than `limit` bytes. */
  getBlobBytes(
    desc: Pick<Descriptor, 'digest' | 'size'>,
    limit = MANIFEST_LIMIT,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    return readSmallBlob(desc, limit, () => this.getBlob(desc, signal));
  }

  async *#blobChunks(
    desc: Pick<Descriptor, 'digest' | 'size'>,
    signal?: AbortSignal,
    opts: { checkSize?: boolean; onChunk?: (bytes: number) => void } = {},
  ): AsyncGenerator<Buffer> {
    const { checkSize = false, onChunk } = opts;
    const sizeError = (got: string): IntegrityError =>
      new IntegrityError(`blob ${desc.digest}: expected ${desc.size} bytes, got ${got}`, {
        hint: 'the registry served different content than the descriptor says; nothing was kept',
      });
    let offset = 0;
    for (let resumes = 0; ; resumes++) {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      const res = await this.client.send(this.registry, this.pull, {
        method: 'GET',
        url: `/v2/${this.name}/blobs/${desc.digest}`,
        headers,
        signal,
      });
      if (res.status !== 200 && res.status !== 206) {
        throw await responseError(res, { what: `blob ${desc.digest} in ${this.#what()}` });
      }
      let skip = 0;
      if (offset > 0 && res.status === 200)
        skip = offset; // server ignored Range: drop what we already have
      else if (res.status === 206) {
        const start = /^bytes (\d+)-/.exec(res.header('content-range') ?? '')?.[1];
        if (Number(start) !== offset) {
          await res.dump();
          throw new ProtocolError(
            `blob ${desc.digest}: resume answered a different range (${res.header('content-range') ?? 'none'})`,
          );
        }
      }
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          let c = chunk;
          if (skip > 0) {
            const drop = Math.min(skip, c.length);
            skip -= drop;
            c = c.subarray(drop);
            if (c.length === 0) continue;
          }
          offset += c.length;
          if (checkSize && offset > desc.size) throw sizeError(`more`);
          onChunk?.(c.length);
          yield c;
        }
        if (checkSize && offset !== desc.size) throw sizeError(String(offset));
        return;
      } catch (err) {
        res.body.destroy();
        if (
          signal?.aborted ||
          !isRetryableError(err) ||
          resumes >= this.client.resumeAttempts ||
          offset >= desc.size
        ) {
          throw toNetworkError(err, res.url);
        }
        // Connection cut mid-body: loop and ask for the rest with Range.
      }
    }
  }

  /**
   * Uploads a blob: cross-repo mount when a source repository is named (falling back to a normal
   * upload when the registry declines), else POST + one monolithic PUT; a registry that rejects
   * the monolithic PUT gets chunked PATCHes honouring `OCI-Chunk-Min-Length`.
   */
  async pushBlob(
    desc: Pick<Descriptor, 'digest' | 'size'>,
    source: BlobSource,
    opts: PushBlobOptions = {},
  ): Promise<PushBlobResult> {
    const what = `upload blob ${desc.digest} to ${this.#what()}`;
    const { signal } = opts;
    let session: { location: URL; minChunk: number } | undefined;
    for (const from of opts.mountFrom ?? []) {
      if (from === this.name) continue;
      const scopes = [...this.push, repositoryScope(from, 'pull')];
      const res = await this.client.send(this.registry, scopes, {
        method: 'POST',
        url: `/v2/${this.name}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`,
        signal,
      });
      if (res.status === 201) {
        await res.dump();
        return 'mounted';
      }
      if (res.status === 202) {
        // The registry declined the mount but opened an upload session: use it.
        session = this.#session(res);
        await res.dump();
        break;
      }
      await res.dump();
    }
    if (!opts.chunkSize) {
      // Start reading the source while the upload session is being opened: the source's first
      // round trip overlaps the POST instead of following it (one round trip less per blob).
      const primed = session ? undefined : primeSource(source);
      let res: HttpResponse;
      try {
        session ??= await this.#startUpload(what, signal);
        res = await this.#putMonolithic(session.location, desc, primed?.source ?? source, signal);
      } finally {
        await primed?.release();
      }
      if (res.status === 201 || res.status === 204) {
        await this.#checkDigestHeader(res, desc.digest, what);
        return 'uploaded';
      }
      // Registries that only take chunks refuse a monolithic PUT with one of these statuses;
      // a digest or size complaint, though, means the content is wrong and chunks would not help.
      const text = await res.text(64 * 1024).catch(() => '');
      const code = parseOciErrors(text)?.[0]?.code;
      // A concurrent upload of the same blob can make distribution refuse ours (DIGEST_INVALID)
      // while theirs lands: if the registry now has the blob, the work is done.
      if (code === 'DIGEST_INVALID' && (await this.headBlob(desc.digest, signal)) === desc.size)
        return 'uploaded';
      if (code === 'DIGEST_INVALID') throw digestRejected(what);
      if (![400, 405, 413, 416, 501].includes(res.status) || code === 'SIZE_INVALID') {
        throw errorFromBody(res.status, text, { what });
      }
      session = await this.#startUpload(what, signal);
    }
    session ??= await this.#startUpload(what, signal);
    await this.#uploadChunked(
      session,
      desc,
      source,
      Math.max(opts.chunkSize ?? DEFAULT_CHUNK, session.minChunk),
      what,
      signal,
    );
    return 'uploaded';
  }

  async #checkDigestHeader(res: HttpResponse, digest: string, what: string): Promise<void> {
    await res.dump();
    const reported = res.header('docker-content-digest');
    if (reported && reported !== digest) throw new IntegrityError(`${what}: registry stored ${reported}`);
  }

  #session(res: HttpResponse): { location: URL; minChunk: number } {
    const location = res.header('location');
    if (!location) throw new ProtocolError(`upload to ${this.#what()}: registry sent no Location`);
    const minChunk = Number(res.header('oci-chunk-min-length') ?? 0);
    return { location: new URL(location, res.url), minChunk: Number.isFinite(minChunk) ? minChunk : 0 };
  }

  async #startUpload(what: string, signal?: AbortSignal): Promise<{ location: URL; minChunk: number }> {
    const res = await this.client.send(this.registry, this.push, {
      method: 'POST',
      url: `/v2/${this.name}/blobs/uploads/`,
      signal,
    });
    if (res.status !== 202) throw await responseError(res, { what });
    const s = this.#session(res);
    await res.dump();
    return s;
  }

  async #putMonolithic(
    location: URL,
    desc: Pick<Descriptor, 'digest' | 'size'>,
    source: BlobSource,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const url = new URL(location);
    url.searchParams.set('digest', desc.digest);
    const body: BodySource = () => source.open();
    return this.client.send(this.registry, this.push, {
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
      body,
      signal,
    });
  }

  async #uploadChunked(
    session: { location: URL; minChunk: number },
    desc: Pick<Descriptor, 'digest' | 'size'>,
    source: BlobSource,
    chunkSize: number,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    let location = session.location;
    let offset = 0;
    for await (const chunk of rechunk(source.open(), chunkSize)) {
      let part = chunk;
      let partStart = offset;
      for (;;) {
        const end = partStart + part.length - 1;
        const res = await this.client.send(this.registry, this.push, {
          method: 'PATCH',
          url: location,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${partStart}-${end}`,
            'content-length': String(part.length),
          },
          body: part,
          retry: 'never',
          noRetryStatus: [416],
          signal,
        });
        if (res.status === 202) {
          location = new URL(res.header('location') ?? location.href, res.url);
          await res.dump();
          break;
        }
        if (res.status !== 416) throw await responseError(res, { what });
        await res.dump();
        // The registry has a different offset than we think: ask, then send only what it lacks.
        const stored = await this.#uploadStatus(location, what, signal);
        location = stored.location;
        const have = stored.end + 1;
        if (have < partStart || have > partStart + part.length) {
          throw new ProtocolError(`${what}: registry holds ${have} bytes, cannot resume from ${partStart}`);
        }
        part = part.subarray(have - partStart);
        partStart = have;
        if (part.length === 0) break;
      }
      offset += chunk.length;
    }
    const url = new URL(location);
    url.searchParams.set('digest', desc.digest);
    const res = await this.client.send(this.registry, this.push, {
      method: 'PUT',
      url,
      headers: { 'content-length': '0' },
      body: new Uint8Array(0),
      signal,
    });
    if (res.status !== 201 && res.status !== 204) {
      const text = await res.text(64 * 1024).catch(() => '');
      if (parseOciErrors(text)?.[0]?.code === 'DIGEST_INVALID') throw digestRejected(what);
      throw errorFromBody(res.status, text, { what });
    }
    await this.#checkDigestHeader(res, desc.digest, what);
  }

  async #uploadStatus(
    location: URL,
    what: string,
    signal?: AbortSignal,
  ): Promise<{ location: URL; end: number }> {
    const res = await this.client.send(this.registry, this.push, { method: 'GET', url: location, signal });
    if (res.status !== 204 && res.status !== 200) throw await responseError(res, { what });
    await res.dump();
    const end = Number(/^(?:bytes=)?\d+-(\d+)$/.exec(res.header('range') ?? '')?.[1] ?? -1);
    return { location: new URL(res.header('location') ?? location.href, res.url), end };
  }

  /**
   * Referrers of `digest`: the OCI 1.1 API when the registry has it (learned once per
   * repository), else the `sha256-<hex>` fallback tag. `artifactType` filters either way, on our
   * side when the registry did not apply the filter.
   */
  async referrers(
    digest: string,
    opts: { artifactType?: string; signal?: AbortSignal } = {},
  ): Promise<ReferrersResult> {
    const filter = (ds: Descriptor[]): Descriptor[] =>
      opts.artifactType ? ds.filter((d) => d.artifactType === opts.artifactType) : ds;
    if (this.#referrersApi !== false) {
      const url = `/v2/${this.name}/referrers/${digest}${opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : ''}`;
      const res = await this.client.send(this.registry, this.pull, {
        method: 'GET',
        url,
        headers: { accept: MediaType.OciIndex },
        signal: opts.signal,
      });
      const type = stripParams(res.header('content-type'));
      if (res.status === 200 && type === MediaType.OciIndex) {
        this.#referrersApi = true;
        const descriptors: Descriptor[] = [];
        let page: HttpResponse | undefined = res;
        for (let n = 0; page && n < MAX_PAGES; n++) {
          const bytes = await page.bytes(MANIFEST_LIMIT);
          const parsed = parseManifest(bytes, MediaType.OciIndex, `referrers of ${digest}`);
          if (parsed.kind !== 'index') throw new ProtocolError(`referrers of ${digest}: not an index`);
          descriptors.push(...parsed.index.manifests);
          const next = nextLink(page.headerAll('link'), page.url);
          page = next
            ? await this.client.send(this.registry, this.pull, {
                method: 'GET',
                url: next,
                headers: { accept: MediaType.OciIndex },
                signal: opts.signal,
              })
            : undefined;
          if (page && page.status !== 200)
            throw await responseError(page, { what: `referrers of ${digest}` });
        }
        return { descriptors: filter(descriptors), via: 'api' };
      }
      await res.dump();
      if (res.status === 200 || res.status === 404 || res.status === 400 || res.status === 405)
        this.#referrersApi = false;
      else throw await responseError(res, { what: `referrers of ${digest} in ${this.#what()}` });
    }
    const tag = referrersFallbackTag(digest);
    let fetched: FetchedManifest;
    try {
      fetched = await this.getManifest(tag, opts.signal, [MediaType.OciIndex]);
    } catch (err) {
      if (err instanceof NotFoundError) return { descriptors: [], via: 'tag' };
      throw err;
    }
    if (fetched.parsed.kind !== 'index') {
      throw new ProtocolError(`referrers tag ${tag} in ${this.#what()} is not an index`);
    }
    return { descriptors: filter(fetched.parsed.index.manifests), via: 'tag' };
  }
}

/**
 * The registry computed the digest of what we sent and it is not the one we named: the content
 * is corrupt (copies from a registry rely on this check instead of hashing every byte twice).
 */
function digestRejected(what: string): IntegrityError {
  return new IntegrityError(`${what}: the registry found the content does not match its digest`, {
    hint: 'the source served corrupt data; nothing was stored, try again',
  });
}

/**
 * Starts an async-iterable source (a registry download) before the upload needs it. `source`
 * hands the primed iterable to the first `open()` and fresh ones to retries; `release` stops a
 * primed download that was never (fully) consumed, so its connection goes back to the pool.
 */
export function primeSource(source: BlobSource): { source: BlobSource; release(): Promise<void> } {
  const opened = source.open();
  if (opened instanceof Uint8Array || opened instanceof Readable || !(Symbol.asyncIterator in opened)) {
    // Bytes need no head start, and a stream cannot be started without consuming it (a
    // verified download's pipeline is already reading): the first attempt takes it as it is.
    const unused = opened;
    let handedOut = false;
    return {
      source: {
        ...source,
        open: () => {
          if (handedOut) return source.open();
          handedOut = true;
          return unused;
        },
      },
      release: () => {
        if (!handedOut && unused instanceof Readable) unused.destroy();
        return Promise.resolve();
      },
    };
  }
  const it = opened[Symbol.asyncIterator]();
  const first = it.next();
  first.catch(() => undefined); // reported to whoever consumes it; unconsumed, release() ends it
  let state: 'primed' | 'consuming' | 'done' = 'primed';
  const primed: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => {
      let pending: Promise<IteratorResult<Uint8Array>> | undefined = first;
      state = 'consuming';
      return {
        next: async () => {
          const r = await (pending ?? it.next());
          pending = undefined;
          if (r.done) state = 'done';
          return r;
        },
        return: async (value?: unknown) => {
          state = 'done';
          await it.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
  let handedOut = false;
  return {
    source: {
      ...source,
      open: () => {
        if (handedOut) return source.open();
        handedOut = true;
        return primed;
      },
    },
    release: async () => {
      if (state === 'done') return;
      state = 'done';
      // Wait for the pending first read, then close the generator (it destroys the response).
      await first.catch(() => undefined);
      await it.return?.(undefined).catch(() => undefined);
    },
  };
}

/** Regroups any byte stream into chunks of exactly `size` bytes (the last may be shorter). */
export async function* rechunk(
  source: Readable | AsyncIterable<Uint8Array> | Uint8Array,
  size: number,
): AsyncGenerator<Buffer> {
  const iterable: Iterable<Uint8Array> | AsyncIterable<Uint8Array> =
    source instanceof Uint8Array ? [source] : source;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for await (const raw of iterable) {
    let buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    while (pendingLen + buf.length >= size) {
      const take = size - pendingLen;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      pendingLen = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingLen += buf.length;
    }
  }
  if (pendingLen > 0) yield Buffer.concat(pending, pendingLen);
}
