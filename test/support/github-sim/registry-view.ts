/**
 * What the GitHub Packages simulator knows about a real docker-registry: which manifests a
 * repository holds (tagged or not) and which tags point where, and how to delete a manifest and
 * put it back. GHCR keeps one package version per manifest, so this is where versions come from.
 *
 * The Distribution API cannot list untagged manifests, so the manifest set is read from the
 * registry's storage (`_manifests/revisions/sha256/<hex>/link`, whose mtime is the push time);
 * tags, manifest bytes, deletes and re-puts go through the registry's HTTP API.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface StoredManifest {
  digest: string;
  /** When the registry linked it into the repository (the revision link's mtime). */
  pushedAt: Date;
}

export interface SavedManifest {
  bytes: Buffer;
  mediaType: string;
}

export class RegistryView {
  /**
   * @param url  http://127.0.0.1:PORT of the registry
   * @param dataDir its storage root (`rootdirectory`)
   */
  constructor(
    readonly url: string,
    readonly dataDir: string,
  ) {}

  #repoDir(repo: string): string {
    return join(this.dataDir, 'docker', 'registry', 'v2', 'repositories', ...repo.split('/'));
  }

  /** Every manifest of `repo` (a deleted one keeps its directory but loses its link file). */
  async manifests(repo: string): Promise<StoredManifest[]> {
    const dir = join(this.#repoDir(repo), '_manifests', 'revisions', 'sha256');
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: StoredManifest[] = [];
    for (const hex of entries) {
      try {
        const s = await stat(join(dir, hex, 'link'));
        out.push({ digest: `sha256:${hex}`, pushedAt: s.mtime });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return out;
  }

  /** tag → digest, through `tags/list` and a HEAD per tag. */
  async tags(repo: string): Promise<Map<string, string>> {
    const res = await fetch(`${this.url}/v2/${repo}/tags/list`);
    if (res.status === 404) {
      await res.body?.cancel();
      return new Map();
    }
    if (!res.ok) throw new Error(`registry tags/list ${repo}: HTTP ${res.status}`);
    const doc = (await res.json()) as { tags?: string[] | null };
    const out = new Map<string, string>();
    for (const tag of doc.tags ?? []) {
      const head = await fetch(`${this.url}/v2/${repo}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: ACCEPT },
      });
      await head.body?.cancel();
      const digest = head.headers.get('docker-content-digest');
      if (head.ok && digest) out.set(tag, digest);
    }
    return out;
  }

  async get(repo: string, digest: string): Promise<SavedManifest> {
    const res = await fetch(`${this.url}/v2/${repo}/manifests/${digest}`, { headers: { accept: ACCEPT } });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`registry GET ${repo}@${digest}: HTTP ${res.status}`);
    }
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { bytes: Buffer.from(await res.arrayBuffer()), mediaType };
  }

  /** DELETE by digest: distribution drops the manifest and every tag on it. */
  async delete(repo: string, digest: string): Promise<void> {
    const res = await fetch(`${this.url}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
    await res.body?.cancel();
    if (res.status !== 202) throw new Error(`registry DELETE ${repo}@${digest}: HTTP ${res.status}`);
  }

  /** PUT a saved manifest back under `reference` (its digest, or a tag). */
  async put(
    repo: string,
    reference: string,
    saved: SavedManifest,
  ): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.url}/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': saved.mediaType },
      body: saved.bytes,
    });
    return { status: res.status, body: await res.text() };
  }
}
