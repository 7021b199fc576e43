/**
 * Which base image an image was built FROM, which layers it contributed, and a smaller base of
 * the same kind with about how much it would save. Pure.
 *
 * The name comes, most trusted first, from: the `org.opencontainers.image.base.name` label; the
 * `FROM …` comment buildah writes on the first history entry of a build; the
 * `org.opencontainers.image.ref.name` + `.version` labels (ubuntu sets them); else it is inferred
 * from the runtime's ENV (NODE_VERSION, PYTHON_VERSION, which the official images set), the
 * distribution's os-release (when the layer walk captured it) or marker files
 * (/etc/alpine-release, /etc/debian_version), and whether a full variant's extras are present.
 *
 * The base's layers end at the history entry before buildah's `FROM` comment, else at the last
 * CMD/ENTRYPOINT that a layer follows (official images end with one), else the first layer when
 * it is a rootfs `ADD file:… in /`.
 */
import type { ImageConfig } from '../oci/schema.js';
import type { MergedTree } from './file-tree.js';

/**
 * About how big each base is: compressed, linux/amd64, as the Docker Hub tag pages
 * (hub.docker.com/_/debian, /_/ubuntu, /_/alpine, /_/node, /_/python) and the distroless
 * README (github.com/GoogleContainerTools/distroless) showed them in 2024-2025. They move with
 * every rebuild, so they only ever back "about" figures and a proportional estimate.
 */
const MB = 1_000_000;
export const TYPICAL_SIZES: Readonly<Record<string, number>> = {
  'debian:bookworm': 49 * MB,
  'debian:bookworm-slim': 28 * MB,
  'debian:bullseye': 53 * MB,
  'debian:bullseye-slim': 30 * MB,
  'ubuntu:22.04': 29 * MB,
  'ubuntu:24.04': 29 * MB,
  alpine: 3.6 * MB,
  'node:full': 380 * MB,
  'node:slim': 70 * MB,
  'node:alpine': 45 * MB,
  'node:distroless': 45 * MB,
  'python:full': 370 * MB,
  'python:slim': 45 * MB,
  'python:alpine': 20 * MB,
};

export type BaseFamily = 'debian' | 'ubuntu' | 'alpine' | 'node' | 'python' | 'distroless';
export type BaseVariant = 'full' | 'slim' | 'alpine' | 'distroless';

export interface BaseAlternative {
  name: string;
  /** About this big (TYPICAL_SIZES). */
  typicalBytes: number;
  note: string;
}

export interface BaseImage {
  /** As identified, e.g. "node:20", "debian:bookworm-slim". */
  name: string;
  family: BaseFamily;
  variant: BaseVariant;
  /** How it was identified, for the evidence. */
  identifiedBy: string[];
  /** Layers (0-based) the base contributed, and whether that boundary is a guess. */
  layers: number[];
  boundaryGuessed: boolean;
  /** Σ stored (compressed) size of those layers in this image. */
  storedBytes: number;
  /** About how big this base is on its own (TYPICAL_SIZES), if known. */
  typicalBytes?: number;
  /** Smaller bases of the same kind, the first the recommended one. */
  alternatives: BaseAlternative[];
  /** storedBytes × (1 − first alternative / typical): the same proportion of this image's base. */
  estimatedSavingBytes: number;
}

export interface BaseImageInput {
  config: ImageConfig;
  tree?: MergedTree;
  /** Stored (compressed) bytes of each layer, in order. */
  layerBytes: readonly number[];
  /** Content of a captured file, if the walk kept it (os-release, alpine-release, debian_version). */
  captured?: (path: string) => string | undefined;
}

const DEBIAN_CODENAMES: Record<string, string> = { '11': 'bullseye', '12': 'bookworm', '13': 'trixie' };

/** "docker.io/library/node:20-slim@sha256:…" → "node:20-slim"; other registries keep their host. */
export function shortImageName(ref: string): string {
  let name = ref.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  name = name.replace(/^library\//, '');
  return name;
}

function fromHistoryComment(config: ImageConfig): { name: string; entry: number } | undefined {
  const history = config.history ?? [];
  for (let i = 0; i < history.length; i++) {
    const m = /^FROM\s+(\S+)/.exec(history[i]?.comment ?? '');
    if (m && m[1] !== 'scratch') return { name: shortImageName(m[1]!), entry: i };
  }
  return undefined;
}

function envValue(config: ImageConfig, key: string): string | undefined {
  for (const e of config.config?.Env ?? []) if (e.startsWith(`${key}=`)) return e.slice(key.length + 1);
  return undefined;
}

function osRelease(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.replace(/^["']|["']$/g, ''));
  }
  return out;
}

const exists = (tree: MergedTree | undefined, path: string): boolean => tree?.get(path) !== undefined;

/** Any regular file under `prefix` that is not a copyright file (slim images keep only those). */
function hasDocs(tree: MergedTree | undefined): boolean {
  return (tree?.files ?? []).some(
    (f) =>
      f.entry.type === 'file' && /^usr\/share\/(doc|man)\//.test(f.path) && !f.path.endsWith('/copyright'),
  );
}

interface Named {
  family: BaseFamily;
  variant: BaseVariant;
  /** Major version of a runtime, or the distribution release ("bookworm", "22.04"). */
  version?: string;
}

/** Reads a short image name: node:20-bookworm-slim → node, slim, 20. */
export function classifyName(name: string): Named | undefined {
  const [repo = '', tag = 'latest'] = shortImageName(name).split(':');
  const variant: BaseVariant = /alpine/.test(tag) ? 'alpine' : /slim/.test(tag) ? 'slim' : 'full';
  if (/^gcr\.io\/distroless\//.test(repo)) return { family: 'distroless', variant: 'distroless' };
  if (repo === 'alpine') return { family: 'alpine', variant: 'alpine', version: tag };
  if (repo === 'node' || repo === 'python') {
    const m = /^(\d+(?:\.\d+)?)/.exec(tag);
    const version = m
      ? repo === 'node'
        ? m[1]!.split('.')[0]!
        : m[1]!.split('.').slice(0, 2).join('.')
      : undefined;
    return { family: repo, variant, ...(version ? { version } : {}) };
  }
  if (repo === 'debian') {
    const codename = tag.replace(/-slim$/, '');
    return { family: 'debian', variant, version: DEBIAN_CODENAMES[codename] ?? codename };
  }
  if (repo === 'ubuntu') return { family: 'ubuntu', variant: 'full', version: tag };
  return undefined;
}

function identify(input: BaseImageInput): { named: Named; name: string; by: string[] } | undefined {
  const { config, tree } = input;
  const labels = config.config?.Labels ?? {};
  const explicit: [string | undefined, string][] = [
    [labels['org.opencontainers.image.base.name'], 'label org.opencontainers.image.base.name'],
    [fromHistoryComment(config)?.name, 'history comment FROM'],
  ];
  const refName = labels['org.opencontainers.image.ref.name'];
  const version = labels['org.opencontainers.image.version'];
  if (refName && version && /^[a-z]+$/.test(refName)) {
    explicit.push([`${refName}:${version}`, 'labels org.opencontainers.image.ref.name + version']);
  }
  for (const [name, by] of explicit) {
    if (!name) continue;
    const named = classifyName(name);
    if (named) return { named, name: shortImageName(name), by: [`${by}: ${name}`] };
  }

  const by: string[] = [];
  const release = osRelease(input.captured?.('etc/os-release') ?? input.captured?.('usr/lib/os-release'));
  let distro = release.get('ID');
  if (distro)
    by.push(
      `os-release: ID=${distro}${release.get('VERSION_ID') ? ` VERSION_ID=${release.get('VERSION_ID')}` : ''}`,
    );
  else if (exists(tree, 'etc/alpine-release')) {
    distro = 'alpine';
    by.push('file /etc/alpine-release');
  } else if (exists(tree, 'etc/debian_version')) {
    distro = exists(tree, 'etc/lsb-release') ? 'ubuntu' : 'debian';
    by.push(`file /etc/debian_version${distro === 'ubuntu' ? ' and /etc/lsb-release' : ''}`);
  }
  let debianRelease = release.get('VERSION_CODENAME');
  if (!debianRelease && distro === 'debian') {
    const major = (release.get('VERSION_ID') ?? input.captured?.('etc/debian_version') ?? '').split('.')[0]!;
    debianRelease = DEBIAN_CODENAMES[major.trim()];
  }
  // node:N and python:N full images are buildpack-deps: a compiler and git come with them.
  const fullExtras = exists(tree, 'usr/bin/gcc') && exists(tree, 'usr/bin/git');

  for (const runtime of ['node', 'python'] as const) {
    const v = envValue(config, runtime === 'node' ? 'NODE_VERSION' : 'PYTHON_VERSION');
    if (!v) continue;
    const parts = v.split('.');
    const major = runtime === 'node' ? parts[0]! : parts.slice(0, 2).join('.');
    const variant: BaseVariant =
      distro === 'alpine' ? 'alpine' : fullExtras ? 'full' : distro ? 'slim' : 'full';
    by.push(`ENV ${runtime === 'node' ? 'NODE_VERSION' : 'PYTHON_VERSION'}=${v}`);
    if (variant === 'full') by.push('gcc and git present (the buildpack-deps based full variant)');
    const suffix = variant === 'full' ? '' : `-${variant}`;
    return { named: { family: runtime, variant, version: major }, name: `${runtime}:${major}${suffix}`, by };
  }
  if (distro === 'alpine') {
    return { named: { family: 'alpine', variant: 'alpine' }, name: 'alpine', by };
  }
  if (distro === 'debian') {
    const codename = debianRelease ?? 'bookworm';
    const docs = hasDocs(tree);
    if (!docs) by.push('no documentation besides copyright files (the slim variant)');
    else by.push('documentation and man pages present (the full variant)');
    const variant: BaseVariant = docs ? 'full' : 'slim';
    return {
      named: { family: 'debian', variant, version: codename },
      name: `debian:${codename}${variant === 'slim' ? '-slim' : ''}`,
      by,
    };
  }
  if (distro === 'ubuntu') {
    const v = release.get('VERSION_ID');
    return {
      named: { family: 'ubuntu', variant: 'full', ...(v ? { version: v } : {}) },
      name: `ubuntu${v ? `:${v}` : ''}`,
      by,
    };
  }
  return undefined;
}

function typicalOf(n: Named): number | undefined {
  switch (n.family) {
    case 'node':
    case 'python':
      return TYPICAL_SIZES[`${n.family}:${n.variant}`];
    case 'debian': {
      const key = `debian:${n.version ?? 'bookworm'}${n.variant === 'slim' ? '-slim' : ''}`;
      return TYPICAL_SIZES[key] ?? TYPICAL_SIZES[`debian:bookworm${n.variant === 'slim' ? '-slim' : ''}`];
    }
    case 'ubuntu':
      return TYPICAL_SIZES[`ubuntu:${n.version ?? '24.04'}`] ?? TYPICAL_SIZES['ubuntu:24.04'];
    case 'alpine':
      return TYPICAL_SIZES.alpine;
    case 'distroless':
      return undefined;
  }
}

function alternativesOf(n: Named): BaseAlternative[] {
  const size = (key: string): number => TYPICAL_SIZES[key]!;
  const alpineNote = 'musl libc: native modules and glibc binaries may need rebuilding';
  switch (n.family) {
    case 'node': {
      const v = n.version ?? '20';
      const distroless = {
        name: `gcr.io/distroless/nodejs${v}-debian12`,
        typicalBytes: size('node:distroless'),
        note: 'no shell or package manager: build in a node stage, COPY --from it',
      };
      const alpine = { name: `node:${v}-alpine`, typicalBytes: size('node:alpine'), note: alpineNote };
      if (n.variant === 'full') {
        return [
          {
            name: `node:${v}-slim`,
            typicalBytes: size('node:slim'),
            note: 'same Debian and glibc, without the build tools',
          },
          alpine,
          distroless,
        ];
      }
      return n.variant === 'slim' ? [distroless, alpine] : [];
    }
    case 'python': {
      const v = n.version ?? '3.12';
      if (n.variant === 'full') {
        return [
          {
            name: `python:${v}-slim`,
            typicalBytes: size('python:slim'),
            note: 'same Debian and glibc, without the build tools',
          },
          { name: `python:${v}-alpine`, typicalBytes: size('python:alpine'), note: alpineNote },
        ];
      }
      return n.variant === 'slim'
        ? [{ name: `python:${v}-alpine`, typicalBytes: size('python:alpine'), note: alpineNote }]
        : [];
    }
    case 'debian': {
      if (n.variant !== 'full') return [];
      const codename = n.version ?? 'bookworm';
      const key = TYPICAL_SIZES[`debian:${codename}-slim`]
        ? `debian:${codename}-slim`
        : 'debian:bookworm-slim';
      return [
        { name: `debian:${codename}-slim`, typicalBytes: size(key), note: 'no docs, man pages or locales' },
      ];
    }
    case 'ubuntu':
      return [
        {
          name: 'alpine:3.20',
          typicalBytes: size('alpine'),
          note: `a different distribution; ${alpineNote}`,
        },
      ];
    case 'alpine':
    case 'distroless':
      return [];
  }
}

const CMD_LIKE = /^(\/bin\/sh -c #\(nop\)\s*)?(CMD|ENTRYPOINT)\b/;
const ROOTFS_ADD = /^(\/bin\/sh -c #\(nop\)\s*)?ADD (file:\S+|\S*rootfs\S*) (in )?\/\s*$/;

/** History entry index → layer index (entries marked empty_layer have none). */
function historyLayers(config: ImageConfig, layerCount: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let layer = 0;
  for (const h of config.history ?? []) {
    if (h.empty_layer || layer >= layerCount) out.push(undefined);
    else out.push(layer++);
  }
  return out;
}

/** How many layers the base contributed, and whether that is a guess. */
export function baseBoundary(
  config: ImageConfig,
  layerCount: number,
): { layers: number; guessed: boolean } | undefined {
  const history = config.history ?? [];
  const toLayer = historyLayers(config, layerCount);
  const layersBefore = (entry: number): number =>
    toLayer.slice(0, entry).filter((l) => l !== undefined).length;
  const from = fromHistoryComment(config);
  if (from) return { layers: layersBefore(from.entry), guessed: false };
  for (let i = history.length - 1; i >= 0; i--) {
    const cmd = (history[i]?.created_by ?? '').trim();
    if (!CMD_LIKE.test(cmd)) continue;
    const later = toLayer.slice(i + 1).some((l) => l !== undefined);
    if (later && layersBefore(i) > 0) return { layers: layersBefore(i), guessed: false };
  }
  if (ROOTFS_ADD.test((history[0]?.created_by ?? '').trim()) && layerCount > 0) {
    return { layers: 1, guessed: false };
  }
  return layerCount > 0 ? { layers: 1, guessed: true } : undefined;
}

export function identifyBaseImage(input: BaseImageInput): BaseImage | undefined {
  const found = identify(input);
  if (!found) return undefined;
  const boundary = baseBoundary(input.config, input.layerBytes.length) ?? { layers: 0, guessed: true };
  const layers = Array.from({ length: boundary.layers }, (_, i) => i);
  const storedBytes = layers.reduce((n, i) => n + (input.layerBytes[i] ?? 0), 0);
  const typicalBytes = typicalOf(found.named);
  const alternatives = alternativesOf(found.named);
  const best = alternatives[0];
  const estimatedSavingBytes =
    best && typicalBytes && typicalBytes > best.typicalBytes
      ? Math.round(storedBytes * (1 - best.typicalBytes / typicalBytes))
      : 0;
  return {
    name: found.name,
    family: found.named.family,
    variant: found.named.variant,
    identifiedBy: found.by,
    layers,
    boundaryGuessed: boundary.guessed,
    storedBytes,
    ...(typicalBytes !== undefined ? { typicalBytes } : {}),
    alternatives,
    estimatedSavingBytes,
  };
}

/** "about 49 MB" (the table's figures are round; more digits would pretend otherwise). */
export function aboutMB(bytes: number): string {
  const mb = bytes / MB;
  return `about ${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}
