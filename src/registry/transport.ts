/**
 * HTTP for registries: one undici pool per origin (keep-alive, bounded connections), scheme
 * selection (https by default, plain http for loopback/insecure hosts), redirects that never carry
 * credentials to another origin, bounded retries with backoff and Retry-After, and errors mapped to
 * the typed errors the CLI understands. Knows nothing about OCI; `client.ts` does.
 */
import { rootCertificates } from 'node:tls';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { Agent, request } from './undici-core.js';
import { IntegrityError, NetworkError, CancelledError } from '../errors.js';
import { isLoopbackRegistry } from '../ref/registry.js';
import {
  DEFAULT_RETRY_POLICY,
  HostBackoff,
  errorCode,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryPolicy,
} from './retry.js';

export type BodySource =
  | Uint8Array
  | string
  /** A factory can be called again, so a request with one can be retried. */
  | (() => Readable | AsyncIterable<Uint8Array> | Uint8Array);

/**
 * - `idempotent`: safe to resend (GET, HEAD, PUT/DELETE with a replayable body).
 * - `never`: sending twice could do harm or the body cannot be replayed (a chunked PATCH).
 */
export type RetryMode = 'idempotent' | 'never';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: BodySource;
  retry?: RetryMode;
  signal?: AbortSignal;
  /** Statuses the caller handles itself and that must not be retried (e.g. 416 on resume). */
  noRetryStatus?: number[];
}

export interface HttpResponse {
  status: number;
  /** Final URL after redirects. */
  url: URL;
  header(name: string): string | undefined;
  headerAll(name: string): string[];
  body: Readable;
  bytes(limit?: number): Promise<Buffer>;
  text(limit?: number): Promise<string>;
  /** Reads and discards the body so the connection goes back to the pool. */
  dump(): Promise<void>;
}

export interface TransportOptions {
  /** Parallel connections per origin (registry host, redirect target). */
  connectionsPerOrigin?: number;
  /** Extra trusted CA certificates (PEM), on top of the system roots and NODE_EXTRA_CA_CERTS. */
  caCertificates?: string[];
  /** Hosts (`host[:port]`) reached over plain HTTP (or unverified TLS if they only speak TLS). */
  insecureHosts?: string[];
  retry?: Partial<RetryPolicy>;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  userAgent?: string;
  /** Receives one redacted line per request when --debug is on. */
  debug?: (line: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const MAX_REDIRECTS = 5;
export const USER_AGENT = 'ghcr-optimize/0.1';

/**
 * Where a registry's API lives. References name Docker Hub `docker.io` (Docker's normalisation),
 * but its API answers at registry-1.docker.io; every other registry serves at its own name.
 */
export function registryEndpoint(registry: string): string {
  const lower = registry.toLowerCase();
  return lower === 'docker.io' || lower === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** For --debug lines: no query values (upload state, tokens in odd registries), no userinfo. */
export function redactUrl(url: URL): string {
  const q = [...url.searchParams.keys()];
  return `${url.origin}${url.pathname}${q.length > 0 ? `?${q.map((k) => `${k}=…`).join('&')}` : ''}`;
}

async function readLimited(body: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      body.destroy();
      throw new IntegrityError(`${what} is larger than the ${limit}-byte limit`, {
        hint: 'a registry should never send this much here; refusing to buffer it',
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** "wrong version number" and friends: we spoke TLS to a plain-HTTP server. */
function isTlsProtocolMismatch(err: unknown): boolean {
  const code = errorCode(err);
  if (
    code === 'EPROTO' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'
  )
    return true;
  const msg = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause)}` : '';
  return /wrong version number|packet length too long|unknown protocol/i.test(msg);
}

export function toNetworkError(err: unknown, url: URL): Error {
  if (err instanceof NetworkError || err instanceof CancelledError || err instanceof IntegrityError)
    return err;
  const code = errorCode(err);
  const host = url.host;
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_AGAIN') {
    return new NetworkError(`cannot resolve host "${url.hostname}"`, {
      hint: 'check the registry name in the reference (e.g. ghcr.io/OWNER/IMAGE)',
      cause: err,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new NetworkError(`cannot connect to ${host}: connection refused`, {
      hint: 'is the registry running and listening on that port?',
      cause: err,
    });
  }
  if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
    return new NetworkError(`TLS verification failed for ${host}: ${code}`, {
      hint: 'trust its CA with --ca-file FILE or NODE_EXTRA_CA_CERTS; --insecure only for test registries',
      cause: err,
    });
  }
  if (isTlsProtocolMismatch(err)) {
    return new NetworkError(`TLS handshake with ${host} failed (the server does not speak HTTPS)`, {
      hint: 'if this registry serves plain HTTP, pass --insecure or set insecure: true for it in the config',
      cause: err,
    });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'ETIMEDOUT') {
    return new NetworkError(`request to ${host} timed out`, {
      hint: 'the registry is slow or unreachable; try again or raise --timeout',
      cause: err,
    });
  }
  if (code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')
    return new CancelledError('cancelled', { cause: err });
  const detail = err instanceof Error ? err.message : String(err);
  return new NetworkError(`request to ${host} failed: ${code ?? detail}`, {
    hint: 'check the network path to the registry; --debug shows each request',
    cause: err,
  });
}

export class Transport {
  readonly #verified: Agent;
  readonly #unverified: Agent;
  readonly #policy: RetryPolicy;
  readonly #backoff = new HostBackoff();
  readonly #schemes = new Map<string, Promise<'http' | 'https'>>();
  readonly #insecure: Set<string>;
  readonly #opts: TransportOptions;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: TransportOptions = {}) {
    this.#opts = opts;
    const connections = opts.connectionsPerOrigin ?? 8;
    const connect = { timeout: opts.connectTimeoutMs ?? 15_000 };
    const ca =
      opts.caCertificates && opts.caCertificates.length > 0
        ? [...rootCertificates, ...opts.caCertificates]
        : undefined;
    const agentOpts = { connections, pipelining: 1, keepAliveTimeout: 30_000 };
    this.#verified = new Agent({ ...agentOpts, connect: ca ? { ...connect, ca } : connect });
    this.#unverified = new Agent({ ...agentOpts, connect: { ...connect, rejectUnauthorized: false } });
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.#insecure = new Set((opts.insecureHosts ?? []).map((h) => h.toLowerCase()));
    this.#sleep = opts.sleep ?? abortableSleep;
  }

  isInsecure(host: string): boolean {
    return this.#insecure.has(host.toLowerCase());
  }

  /**
   * `https://host` or `http://host`. Loopback and insecure hosts are probed once: HTTPS first (a
   * TLS registry on localhost must keep working), falling back to HTTP only when the server does
   * not speak TLS at all — never when a certificate fails to verify.
   */
  async origin(registry: string, signal?: AbortSignal): Promise<URL> {
    const host = registryEndpoint(registry);
    let scheme = this.#schemes.get(host);
    if (!scheme) {
      scheme = this.#probeScheme(host, signal);
      this.#schemes.set(host, scheme);
      scheme.catch(() => this.#schemes.delete(host));
    }
    return new URL(`${await scheme}://${host}`);
  }

  async #probeScheme(host: string, signal?: AbortSignal): Promise<'http' | 'https'> {
    if (!this.isInsecure(host) && !isLoopbackRegistry(host)) return 'https';
    if (await this.#speaksPlainHttp(host, signal)) return 'http';
    const url = new URL(`https://${host}/v2/`);
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.#dispatcherFor(url),
        headers: { 'user-agent': this.#opts.userAgent ?? USER_AGENT },
        signal,
        headersTimeout: this.#opts.headersTimeoutMs ?? 30_000,
      });
      await res.body.dump();
      return 'https';
    } catch (err) {
      const code = errorCode(err);
      if (isTlsProtocolMismatch(err) || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'http';
      throw toNetworkError(err, url);
    }
  }

  /**
   * Plain HTTP is asked first: a plain registry answers on a connection the next request reuses,
   * and no TLS context is built (the system CA store alone took ~35 ms of a profiled no-op copy's
   * main thread). A TLS server answers 400 ("Client sent an HTTP request to an HTTPS server")
   * or drops the connection; then the HTTPS probe decides exactly as before, so a TLS registry
   * is never downgraded and a certificate that fails to verify is still an error.
   */
  async #speaksPlainHttp(host: string, signal?: AbortSignal): Promise<boolean> {
    const url = new URL(`http://${host}/v2/`);
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.#verified,
        headers: { 'user-agent': this.#opts.userAgent ?? USER_AGENT },
        signal,
        headersTimeout: Math.min(this.#opts.headersTimeoutMs ?? 30_000, 5_000),
      });
      await res.body.dump().catch(() => undefined);
      return res.statusCode !== 400;
    } catch {
      return false; // not plain HTTP, or not reachable at all: the HTTPS probe reports which
    }
  }

  #dispatcherFor(url: URL): Dispatcher {
    return url.protocol === 'https:' && this.isInsecure(url.host) ? this.#unverified : this.#verified;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let method = req.method;
    let body = req.body;
    const headers = { ...req.headers };
    const startOrigin = url.origin;
    for (let hop = 0; ; hop++) {
      const res = await this.#sendWithRetry({ ...req, url, method, headers, body });
      const location = res.status >= 300 && res.status < 400 ? res.header('location') : undefined;
      if (location === undefined) return res;
      await res.dump();
      if (hop >= MAX_REDIRECTS) {
        throw new NetworkError(`too many redirects from ${req.url.host}`, {
          hint: 'the registry redirects in a loop',
        });
      }
      url = new URL(location, url);
      if (res.status === 303) {
        method = 'GET';
        body = undefined;
      }
      if (url.origin !== startOrigin) {
        // Blob storage (S3, GHCR's CDN) gets a signed URL; our registry credentials must not follow.
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
      }
      this.#opts.debug?.(`  redirect → ${redactUrl(url)}`);
    }
  }

  async #sendWithRetry(req: HttpRequest): Promise<HttpResponse> {
    // Bodies are bytes or factories, so any request may be resent unless the caller says never.
    const mayRetry = req.retry !== 'never';
    for (let attempt = 0; ; attempt++) {
      const wait = this.#backoff.delayFor(req.url.host);
      if (wait > 0) await this.#sleep(wait, req.signal);
      let res: HttpResponse;
      const started = Date.now();
      try {
        res = await this.#send(req);
      } catch (err) {
        if (req.signal?.aborted) throw new CancelledError('cancelled', { cause: err });
        if (mayRetry && attempt < this.#policy.maxRetries && isRetryableError(err)) {
          const delay = retryDelay(this.#policy, attempt, undefined, this.#opts.random);
          this.#opts.debug?.(
            `${req.method} ${redactUrl(req.url)} failed (${errorCode(err)}), retry in ${delay} ms`,
          );
          await this.#sleep(delay, req.signal);
          continue;
        }
        throw toNetworkError(err, req.url);
      }
      this.#opts.debug?.(`${req.method} ${redactUrl(req.url)} → ${res.status} (${Date.now() - started} ms)`);
      const retryable = isRetryableStatus(res.status) && !req.noRetryStatus?.includes(res.status);
      if (!retryable || !mayRetry || attempt >= this.#policy.maxRetries) return res;
      const retryAfter = parseRetryAfter(res.header('retry-after'), Date.now());
      const delay = retryDelay(this.#policy, attempt, retryAfter, this.#opts.random);
      if (res.status === 429 || retryAfter !== undefined) this.#backoff.pause(req.url.host, delay);
      await res.dump();
      this.#opts.debug?.(`  retry ${attempt + 1}/${this.#policy.maxRetries} in ${delay} ms`);
      await this.#sleep(delay, req.signal);
    }
  }

  async #send(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.#opts.userAgent ?? USER_AGENT,
      ...req.headers,
    };
    let body: Dispatcher.DispatchOptions['body'];
    const src = typeof req.body === 'function' ? req.body() : req.body;
    if (src === undefined || typeof src === 'string' || src instanceof Uint8Array) body = src;
    else if (src instanceof Readable) body = src;
    // undici writes an async iterable itself (awaiting drain between chunks): wrapping it in a
    // Readable would add a stream's buffering and scheduling to every chunk of a large blob.
    else body = src as unknown as Readable;
    const res = await request(req.url, {
      method: req.method,
      headers,
      body,
      dispatcher: this.#dispatcherFor(req.url),
      signal: req.signal,
      headersTimeout: this.#opts.headersTimeoutMs ?? 60_000,
      bodyTimeout: this.#opts.bodyTimeoutMs ?? 120_000,
      // undici closes the connection after every HEAD (for servers that wrongly send a body);
      // registries do not, and a copy HEADs every blob: keep the connection alive.
      ...(req.method === 'HEAD' ? { reset: false } : {}),
    });
    return wrapResponse(res, req.url);
  }

  async close(): Promise<void> {
    // Nothing is in flight when the owner closes: destroy rather than wait for idle sockets to time out.
    await Promise.all([this.#verified.destroy(), this.#unverified.destroy()]);
  }
}

function wrapResponse(res: Dispatcher.ResponseData, url: URL): HttpResponse {
  const raw = res.headers;
  const headerAll = (name: string): string[] => {
    const v = raw[name.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const body = res.body as unknown as Readable;
  return {
    status: res.statusCode,
    url,
    header: (name) => headerAll(name)[0],
    headerAll,
    body,
    bytes: (limit = 64 * 1024 * 1024) => readLimited(body, limit, `response from ${url.host}`),
    text: async (limit = 4 * 1024 * 1024) =>
      (await readLimited(body, limit, `response from ${url.host}`)).toString('utf8'),
    dump: async () => {
      try {
        await res.body.dump();
      } catch {
        // The connection is closed either way; nothing to recover.
      }
    },
  };
}
