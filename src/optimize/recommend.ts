/**
 * Ranked recommendations from an analysis: what each fix would save (estimated, biggest first),
 * the evidence (paths, the layer that holds them with its command, bytes), the concrete change
 * to the Dockerfile, .dockerignore or build command, and whether `optimize-images --apply` does
 * it for you. Pure.
 */
import { aboutMB, identifyBaseImage, type BaseImage } from '../analyze/base-image.js';
import type { MergedTree } from '../analyze/file-tree.js';
import type { LayerScan } from '../analyze/layer-reader.js';
import type { ReclaimableReport, WasteCategory, WasteGroup, WasteItem } from '../analyze/waste.js';
import type { ZstdReport } from '../analyze/zstd-estimate.js';
import type { ImageConfig } from '../oci/schema.js';

export interface EvidenceLayer {
  /** 1-based, as the text output numbers layers. */
  index: number;
  /** Short digest, e.g. "sha256:0123456789ab". */
  digest: string;
  /** The layer's history command (dive's form: "/bin/sh -c " stripped). */
  command: string;
}

export interface Evidence {
  /** Path in the image; absent when the evidence is a whole layer. */
  path?: string;
  layer: EvidenceLayer;
  bytes: number;
  detail?: string;
}

export interface Change {
  /** Where the change goes. */
  file: 'Dockerfile' | '.dockerignore' | 'build command';
  /** The text to write, with "#" comments saying what it replaces. */
  snippet: string;
}

export interface Recommendation {
  rank: number;
  id: string;
  title: string;
  /** Estimated saving; `unit` says whether uncompressed file bytes or compressed blob bytes. */
  savingBytes: number;
  unit: 'uncompressed' | 'compressed';
  /** The --apply flags that do it, or undefined when only a rebuild can. */
  apply?: string;
  hint: string;
  /** The largest items behind the figure. */
  evidence: Evidence[];
  /** What the evidence list leaves out. */
  moreEvidence?: { count: number; bytes: number };
  changes: Change[];
}

/** An ImageAnalysis satisfies this; without layers/config/tree the evidence is thinner. */
export interface RecommendInput {
  reclaimable: ReclaimableReport;
  layers?: readonly { index: number; digest: string; command: string; storedBytes: number }[];
  config?: ImageConfig;
  tree?: MergedTree;
  scans?: readonly LayerScan[];
  zstd?: ZstdReport;
}

export const EVIDENCE_TOP = 5;

type Draft = Omit<Recommendation, 'rank'>;

const shortDigest = (digest: string): string => {
  const [alg = '', hex = ''] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
};

/** A history command as an instruction: RUN's shell text, COPY/ADD's arguments. */
export function instruction(command: string): { kind: 'RUN' | 'COPY' | 'ADD' | 'OTHER'; body: string } {
  let c = command.trim().replace(/\s+# buildkit$/, '');
  c = c.replace(/^\/bin\/sh -c /, '');
  const nop = /^#\(nop\)\s*(COPY|ADD)\s+(.*)$/.exec(c);
  if (nop) return { kind: nop[1] as 'COPY' | 'ADD', body: nop[2]!.trim() };
  if (c.startsWith('#(nop)')) return { kind: 'OTHER', body: c.slice(6).trim() };
  const direct = /^(COPY|ADD)\s+(.*)$/.exec(c);
  if (direct) return { kind: direct[1] as 'COPY' | 'ADD', body: direct[2]!.trim() };
  const run = /^RUN\s+(.*)$/.exec(c);
  if (run) c = run[1]!;
  // Build args as buildkit/docker record them: "|2 A=1 B=2 /bin/sh -c …".
  c = c.replace(/^\|\d+\s+(\S+=\S*\s+)*/, '').replace(/^\/bin\/sh -c /, '');
  if (
    /^(ENV|LABEL|WORKDIR|USER|EXPOSE|CMD|ENTRYPOINT|ARG|VOLUME|HEALTHCHECK|SHELL|STOPSIGNAL|ONBUILD)\b/.test(
      c,
    )
  ) {
    return { kind: 'OTHER', body: c };
  }
  return { kind: 'RUN', body: c };
}

/** The destination of a COPY/ADD ("COPY . /app", "COPY dir:abc in /app"). */
export function copyDestination(body: string): string | undefined {
  const words = body.split(/\s+/).filter((w) => w !== '' && !w.startsWith('--'));
  const inAt = words.indexOf('in');
  const dest = inAt !== -1 ? words[inAt + 1] : words.length >= 2 ? words.at(-1) : undefined;
  if (!dest || !dest.startsWith('/')) return undefined;
  return dest.replace(/\/+$/, '') || '/';
}

class Layers {
  constructor(private readonly input: RecommendInput) {}
  get(index0: number): EvidenceLayer {
    const l = this.input.layers?.find((x) => x.index === index0);
    return { index: index0 + 1, digest: l ? shortDigest(l.digest) : '', command: l?.command ?? '' };
  }
  stored(index0: number): number {
    return this.input.layers?.find((x) => x.index === index0)?.storedBytes ?? 0;
  }
}

function evidenceOf(
  layers: Layers,
  items: readonly WasteItem[],
  totalCount: number,
  totalBytes: number,
): Pick<Recommendation, 'evidence' | 'moreEvidence'> {
  const sorted = [...items].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const evidence = sorted.slice(0, EVIDENCE_TOP).map((i) => ({
    path: i.path,
    layer: layers.get(i.layer),
    bytes: i.size,
    ...(i.detail ? { detail: i.detail } : {}),
  }));
  const shownBytes = evidence.reduce((n, e) => n + e.bytes, 0);
  const count = totalCount - evidence.length;
  return count > 0 ? { evidence, moreEvidence: { count, bytes: totalBytes - shownBytes } } : { evidence };
}

const layerComment = (l: EvidenceLayer): string =>
  `# layer ${l.index}${l.digest ? ` (${l.digest})` : ''}: ${l.command || '(no history)'}`;

/** Groups items by the layer that holds them, largest layer total first. */
function byLayer(items: readonly WasteItem[]): [number, WasteItem[]][] {
  const m = new Map<number, WasteItem[]>();
  for (const i of items) m.set(i.layer, [...(m.get(i.layer) ?? []), i]);
  const total = (xs: WasteItem[]): number => xs.reduce((n, x) => n + x.size, 0);
  return [...m.entries()].sort((a, b) => total(b[1]) - total(a[1]) || a[0] - b[0]);
}

/** The package arguments of an install command ("apt-get install -y curl git" → "curl git"). */
export function installArgs(body: string, verb: RegExp, keepFlags = false): string | undefined {
  for (const part of body.split(/&&|;|\|\|/)) {
    const m = verb.exec(part);
    if (!m) continue;
    const rest = part
      .slice(m.index + m[0].length)
      .trim()
      .replace(/\\\s*/g, ' ');
    const words = rest
      .split(/\s+/)
      .filter(
        (w) =>
          w !== '' && (keepFlags ? w !== '--no-cache-dir' : !w.startsWith('-')) && !/^(install|add)$/.test(w),
      );
    return words.length > 0 ? words.join(' ') : undefined;
  }
  return undefined;
}

const APT_INSTALL = /\bapt(-get)?\s+(?:\S+\s+)*?install\b/;

function cacheKind(path: string): 'apt' | 'apk' | 'yum' | 'dnf' | 'npm' | 'pip' | 'yarn' | 'pnpm' {
  if (/^\/var\/(cache\/apt|lib\/apt\/lists)\//.test(path)) return 'apt';
  if (/^\/(var\/cache|etc)\/apk\//.test(path)) return 'apk';
  if (path.startsWith('/var/cache/yum/')) return 'yum';
  if (path.startsWith('/var/cache/dnf/')) return 'dnf';
  if (/\/\.npm\//.test(path)) return 'npm';
  if (/\/\.cache\/pip\//.test(path)) return 'pip';
  if (/\/\.cache\/pnpm\//.test(path)) return 'pnpm';
  return 'yarn';
}

function cacheChange(kind: ReturnType<typeof cacheKind>, items: WasteItem[], layer: EvidenceLayer): Change {
  const run = instruction(layer.command);
  const body = run.kind === 'RUN' ? run.body : '';
  let snippet: string;
  switch (kind) {
    case 'apt': {
      const pkgs = installArgs(body, APT_INSTALL) ?? 'PACKAGES';
      const clean = items.some((i) => i.path.startsWith('/var/cache/apt/'))
        ? ' \\\n    && apt-get clean'
        : '';
      snippet = `RUN apt-get update \\\n    && apt-get install -y --no-install-recommends ${pkgs}${clean} \\\n    && rm -rf /var/lib/apt/lists/*`;
      break;
    }
    case 'apk':
      snippet = `RUN apk add --no-cache ${installArgs(body, /\bapk\s+(?:\S+\s+)*?add\b/) ?? 'PACKAGES'}`;
      break;
    case 'yum':
    case 'dnf':
      snippet = `RUN ${kind} install -y ${installArgs(body, new RegExp(`\\b${kind}\\s+(?:\\S+\\s+)*?install\\b`)) ?? 'PACKAGES'} \\\n    && ${kind} clean all && rm -rf /var/cache/${kind}`;
      break;
    case 'npm':
      snippet = 'RUN npm ci --omit=dev \\\n    && npm cache clean --force';
      break;
    case 'pip':
      snippet = `RUN pip install --no-cache-dir ${installArgs(body, /\bpip3?\s+install\b/, true) ?? '-r requirements.txt'}`;
      break;
    case 'yarn':
      snippet = 'RUN yarn install --frozen-lockfile --production \\\n    && yarn cache clean';
      break;
    case 'pnpm':
      snippet = 'RUN pnpm install --prod --frozen-lockfile \\\n    && pnpm store prune';
      break;
  }
  return {
    file: 'Dockerfile',
    snippet: `${layerComment(layer)}\n# clean the ${kind} cache in the same RUN that fills it:\n${snippet}`,
  };
}

function listPaths(paths: readonly string[], max = 5): string {
  const shown = paths.slice(0, max).join(' ');
  return paths.length > max ? `${shown} …` : shown;
}

function hiddenChanges(layers: Layers, deleted?: WasteGroup, overwritten?: WasteGroup): Change[] {
  const changes: Change[] = [];
  for (const [layer, items] of byLayer(deleted?.items ?? [])) {
    const l = layers.get(layer);
    const paths = items.map((i) => i.path);
    const later = [...new Set(items.map((i) => /in layer (\d+)/.exec(i.detail ?? '')?.[1]).filter(Boolean))];
    const ins = instruction(l.command);
    const by = later.length === 1 ? `layer ${later[0]} deletes` : `layers ${later.join(', ')} delete`;
    const head = `${layerComment(l)}\n# adds ${listPaths(paths, 3)}; ${by} ${paths.length === 1 ? 'it' : 'them'}, but the bytes stay in layer ${l.index}.`;
    if (ins.kind === 'RUN') {
      changes.push({
        file: 'Dockerfile',
        snippet: `${head}\n# delete them in the same RUN:\nRUN ${ins.body} \\\n    && rm -rf ${listPaths(paths)}\n# or build in another stage and copy only the result:\n#   FROM … AS build\n#   RUN ${ins.body}\n#   FROM …\n#   COPY --from=build /path/to/result /path/to/result`,
      });
    } else {
      changes.push({
        file: 'Dockerfile',
        snippet: `${head}\n# do not copy them in: narrow the ${ins.kind === 'OTHER' ? 'COPY' : ins.kind} or exclude them in .dockerignore,\n# or use a multi-stage build and COPY --from=build only what the image needs.`,
      });
    }
  }
  const metaOnly = (overwritten?.items ?? []).filter((i) => /only metadata changed/.test(i.detail ?? ''));
  const rewritten = (overwritten?.items ?? []).filter((i) => !/only metadata changed/.test(i.detail ?? ''));
  for (const [layer, items] of byLayer(metaOnly)) {
    const l = layers.get(layer);
    changes.push({
      file: 'Dockerfile',
      snippet: `${layerComment(l)}\n# a later chmod/chown copies ${listPaths(
        items.map((i) => i.path),
        3,
      )} again; set mode and owner while copying:\nCOPY --chown=USER:GROUP --chmod=755 SRC DEST`,
    });
  }
  for (const [layer, items] of byLayer(rewritten)) {
    const l = layers.get(layer);
    changes.push({
      file: 'Dockerfile',
      snippet: `${layerComment(l)}\n# ${listPaths(
        items.map((i) => i.path),
        3,
      )} ${items.length === 1 ? 'is' : 'are'} replaced by a later layer: write ${items.length === 1 ? 'it' : 'them'} once, in the final form.`,
    });
  }
  return changes;
}

// ---- .dockerignore: development files a COPY/ADD brought in ----

const IGNORE_DIRS = [
  '.git',
  '.github',
  '.gitlab',
  '.vscode',
  '.idea',
  'coverage',
  '.nyc_output',
  'test',
  'tests',
  '__tests__',
  'node_modules',
];
const IGNORE_FILES: [RegExp, (name: string) => string][] = [
  [/^Dockerfile(\..*)?$|\.Dockerfile$/, () => 'Dockerfile*'],
  [/^docker-compose.*\.ya?ml$/, () => 'docker-compose*.yml'],
  [/^\.dockerignore$/, () => '.dockerignore'],
  [/^\.gitignore$/, () => '.gitignore'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, (n) => `*.${/\.(test|spec)\./.exec(n)![1]}.${n.split('.').at(-1)}`],
  [/^(README|CHANGELOG|CONTRIBUTING)(\.[a-z]+)?$/i, (n) => n],
];

interface IgnoreHit {
  entry: string;
  item: WasteItem;
}

/** What a COPY into `dest` brought that a .dockerignore entry would have kept out. */
export function dockerignoreHits(tree: MergedTree, copyLayers: Map<number, string>): IgnoreHit[] {
  const hits: IgnoreHit[] = [];
  for (const f of tree.files) {
    if (f.entry.type !== 'file') continue;
    const dest = copyLayers.get(f.layer);
    if (dest === undefined) continue;
    const abs = `/${f.path}`;
    const prefix = dest === '/' ? '/' : `${dest}/`;
    if (!abs.startsWith(prefix)) continue;
    const rel = abs.slice(prefix.length).split('/');
    const item = { path: abs, layer: f.layer, size: f.entry.size };
    const dirAt = rel.slice(0, -1).findIndex((part) => IGNORE_DIRS.includes(part));
    if (dirAt !== -1) {
      const name = rel[dirAt]!;
      hits.push({ entry: dirAt === 0 ? name : `**/${name}`, item });
      continue;
    }
    const name = rel.at(-1)!;
    const rule = IGNORE_FILES.find(([re]) => re.test(name));
    if (rule) {
      const pattern = rule[1](name);
      hits.push({ entry: rel.length === 1 ? pattern : `**/${pattern}`, item });
    }
  }
  return hits;
}

// ---- the recommendations ----

const MANUAL: WasteCategory[] = ['duplicate-content', 'node-modules-tests', 'source-maps'];

export function recommend(a: RecommendInput): Recommendation[] {
  const layers = new Layers(a);
  const group = (c: WasteCategory): WasteGroup | undefined =>
    a.reclaimable.categories.find((g) => g.category === c);
  const bytes = (c: WasteCategory): number => group(c)?.bytes ?? 0;
  const out: Draft[] = [];

  const deleted = group('deleted-later');
  const overwritten = group('overwritten-later');
  const hidden = bytes('deleted-later') + bytes('overwritten-later');
  if (hidden > 0) {
    out.push({
      id: 'squash',
      title: 'files deleted or replaced by a later layer are still shipped',
      savingBytes: hidden,
      unit: 'uncompressed',
      apply: '--apply',
      hint: 'squashing drops them; in the Dockerfile, delete files in the same RUN that creates them',
      ...evidenceOf(
        layers,
        [...(deleted?.items ?? []), ...(overwritten?.items ?? [])],
        (deleted?.files ?? 0) + (overwritten?.files ?? 0),
        hidden,
      ),
      changes: hiddenChanges(layers, deleted, overwritten),
    });
  }

  const caches = group('package-cache');
  if (caches && caches.bytes > 0) {
    const changes: Change[] = [];
    for (const [layer, items] of byLayer(caches.items)) {
      const kinds = [...new Set(items.map((i) => cacheKind(i.path)))].sort();
      for (const kind of kinds) {
        changes.push(
          cacheChange(
            kind,
            items.filter((i) => cacheKind(i.path) === kind),
            layers.get(layer),
          ),
        );
      }
    }
    out.push({
      id: 'strip-caches',
      title: 'package manager caches',
      savingBytes: caches.bytes,
      unit: 'uncompressed',
      apply: '--apply (caches are stripped by default)',
      hint: caches.hint,
      ...evidenceOf(layers, caches.items, caches.files, caches.bytes),
      changes,
    });
  }

  const docs = group('docs');
  if (docs && docs.bytes > 0) {
    const dpkg = a.tree?.get('var/lib/dpkg/status') !== undefined;
    const [first] = byLayer(docs.items);
    const l = layers.get(first?.[0] ?? 0);
    const ins = instruction(l.command);
    const snippet = dpkg
      ? "# before the first apt-get install: tell dpkg not to unpack docs (copyright files kept)\nRUN printf 'path-exclude=/usr/share/doc/*\\npath-include=/usr/share/doc/*/copyright\\npath-exclude=/usr/share/man/*\\npath-exclude=/usr/share/info/*\\n' \\\n    > /etc/dpkg/dpkg.cfg.d/01-nodoc"
      : `${layerComment(l)}\n# remove them in the RUN that installs them (copyright files kept):\nRUN ${ins.kind === 'RUN' ? ins.body : 'INSTALL'} \\\n    && find /usr/share/doc -type f ! -name copyright -delete \\\n    && rm -rf /usr/share/man /usr/share/info`;
    out.push({
      id: 'strip-docs',
      title: 'documentation and man pages',
      savingBytes: docs.bytes,
      unit: 'uncompressed',
      apply: '--apply --strip docs',
      hint: docs.hint,
      ...evidenceOf(layers, docs.items, docs.files, docs.bytes),
      changes: [{ file: 'Dockerfile', snippet }],
    });
  }

  const compression = recompress(a, layers);
  if (compression) out.push(compression);

  const toolchain = group('build-toolchain');
  const base = a.config
    ? identifyBaseImage({
        config: a.config,
        ...(a.tree ? { tree: a.tree } : {}),
        layerBytes: (a.layers ?? []).map((l) => l.storedBytes),
        captured: (path) => capturedText(a.scans, path),
      })
    : undefined;
  if (toolchain && toolchain.bytes > 0) out.push(multiStage(toolchain, layers, base));
  if (base && base.estimatedSavingBytes > 0) out.push(smallerBase(base, layers));

  for (const c of MANUAL) {
    const g = group(c);
    if (!g || g.bytes === 0) continue;
    out.push({
      id: c,
      title: g.title,
      savingBytes: g.bytes,
      unit: 'uncompressed',
      hint: g.hint,
      ...evidenceOf(layers, g.items, g.files, g.bytes),
      changes: manualChanges(c, g, layers),
    });
  }

  const ignore = dockerignore(a, layers);
  if (ignore) out.push(ignore);

  return out
    .sort((x, y) => y.savingBytes - x.savingBytes || (x.id < y.id ? -1 : 1))
    .map((r, i) => ({ rank: i + 1, ...r }));
}

function capturedText(scans: readonly LayerScan[] | undefined, path: string): string | undefined {
  for (let i = (scans?.length ?? 0) - 1; i >= 0; i--) {
    const data = scans![i]!.captured.get(path);
    if (data !== undefined) return data.toString('utf8');
  }
  return undefined;
}

function recompress(a: RecommendInput, layers: Layers): Draft | undefined {
  const r = a.reclaimable;
  if (r.compressionSavingBytes <= 0) return undefined;
  const zstd = a.zstd?.available ? a.zstd : undefined;
  const zstdOf = (layer: number) => zstd?.layers.find((l) => l.layer === layer);
  const evidence = r.compression.map((f) => {
    const z = zstdOf(f.layer);
    const stored = f.compression === 'none' ? 'uncompressed' : f.compression;
    return {
      layer: layers.get(f.layer),
      bytes: f.savingBytes,
      detail: `stored ${f.storedBytes} bytes ${stored}; gzip -9 ~${f.estimatedGzip9Bytes}${z ? `, zstd -${zstd!.level} ~${z.estimatedBytes}` : ''} bytes (${f.exact ? 'whole layer' : `${f.sampledBytes}-byte sample`})`,
    };
  });
  const zstdSaving = zstd?.savingBytes ?? 0;
  const zstdBetter = zstdSaving > r.compressionSavingBytes;
  return {
    id: 'recompress',
    title: 'layers compress better with gzip -9',
    savingBytes: r.compressionSavingBytes,
    unit: 'compressed',
    apply: '--apply (or --apply --keep-layers to recompress only)',
    hint: zstdBetter
      ? `zstd -${zstd!.level} would save about ${zstdSaving} bytes instead: --apply --compression zstd`
      : a.zstd && !a.zstd.available
        ? `or try --compression zstd (no zstd estimate: ${a.zstd.reason})`
        : 'or try --compression zstd for smaller and faster-to-unpack layers',
    evidence: evidence.sort((x, y) => y.bytes - x.bytes).slice(0, EVIDENCE_TOP),
    ...(evidence.length > EVIDENCE_TOP
      ? {
          moreEvidence: {
            count: evidence.length - EVIDENCE_TOP,
            bytes: evidence.slice(EVIDENCE_TOP).reduce((n, e) => n + e.bytes, 0),
          },
        }
      : {}),
    changes: [
      {
        file: 'build command',
        snippet: `# compress layers at build time (BuildKit):\ndocker buildx build --output type=image,name=IMAGE,push=true,compression=${zstdBetter ? 'zstd,compression-level=19,oci-mediatypes=true' : 'gzip,compression-level=9'},force-compression=true .`,
      },
    ],
  };
}

function multiStage(g: WasteGroup, layers: Layers, base: BaseImage | undefined): Draft {
  const [first] = byLayer(g.items);
  const l = layers.get(first?.[0] ?? 0);
  const ins = instruction(l.command);
  const install = ins.kind === 'RUN' ? ins.body : 'apt-get update && apt-get install -y build-essential';
  const from = base?.name ?? 'BASE';
  const runtime = base?.alternatives[0]?.name ?? from;
  return {
    id: 'build-toolchain',
    title: g.title,
    savingBytes: g.bytes,
    unit: 'uncompressed',
    hint: g.hint,
    ...evidenceOf(layers, g.items, g.files, g.bytes),
    changes: [
      {
        file: 'Dockerfile',
        snippet: `${layerComment(l)}\n# compilers and headers are needed to build, not to run: build in a stage of its own\nFROM ${from} AS build\nRUN ${install}\nWORKDIR /src\nCOPY . .\nRUN BUILD-COMMAND   # e.g. make, npm ci && npm run build, pip wheel\n\nFROM ${runtime}\nCOPY --from=build /src/OUTPUT /app/`,
      },
    ],
  };
}

function smallerBase(base: BaseImage, layers: Layers): Draft {
  const best = base.alternatives[0]!;
  const others = base.alternatives
    .slice(1)
    .map((x) => `#   or ${x.name} (${aboutMB(x.typicalBytes)}; ${x.note})`);
  return {
    id: 'smaller-base',
    title: `smaller base image than ${base.name}`,
    savingBytes: base.estimatedSavingBytes,
    unit: 'compressed',
    hint: `${base.name} is ${base.typicalBytes ? aboutMB(base.typicalBytes) : 'of unknown size'}, ${best.name} ${aboutMB(best.typicalBytes)} (Docker Hub, compressed); this image's base layers are ${base.storedBytes} bytes${base.boundaryGuessed ? ' (boundary guessed)' : ''}; identified by ${base.identifiedBy.join('; ')}`,
    evidence: base.layers.slice(0, EVIDENCE_TOP).map((i) => ({
      layer: layers.get(i),
      bytes: layers.stored(i),
      detail: `base image layer (${base.name})`,
    })),
    ...(base.layers.length > EVIDENCE_TOP
      ? {
          moreEvidence: {
            count: base.layers.length - EVIDENCE_TOP,
            bytes: base.layers.slice(EVIDENCE_TOP).reduce((n, i) => n + layers.stored(i), 0),
          },
        }
      : {}),
    changes: [
      {
        file: 'Dockerfile',
        snippet:
          `# FROM ${base.name}   (${base.typicalBytes ? aboutMB(base.typicalBytes) : 'size unknown'})\nFROM ${best.name}   # ${aboutMB(best.typicalBytes)}; ${best.note}\n${others.join('\n')}`.trimEnd(),
      },
    ],
  };
}

function manualChanges(c: WasteCategory, g: WasteGroup, layers: Layers): Change[] {
  const changes: Change[] = [];
  for (const [layer, items] of byLayer(g.items)) {
    const l = layers.get(layer);
    const ins = instruction(l.command);
    const copied = ins.kind === 'COPY' || ins.kind === 'ADD';
    if (c === 'source-maps') {
      changes.push(
        copied
          ? { file: '.dockerignore', snippet: `${layerComment(l)}\n**/*.map` }
          : {
              file: 'Dockerfile',
              snippet: `${layerComment(l)}\n# build without source maps, or delete them in the same RUN:\nRUN ${ins.body || 'BUILD'} \\\n    && find / -xdev -name '*.map' -delete`,
            },
      );
    } else if (c === 'node-modules-tests') {
      changes.push(
        copied
          ? {
              file: '.dockerignore',
              snippet: `${layerComment(l)}\n# install dependencies in the image instead of copying them:\nnode_modules`,
            }
          : {
              file: 'Dockerfile',
              snippet: `${layerComment(l)}\nRUN npm ci --omit=dev \\\n    && npm cache clean --force \\\n    && find node_modules -type d \\( -name test -o -name tests -o -name __tests__ \\) -prune -exec rm -rf {} +`,
            },
      );
    } else {
      const pairs = items.slice(0, 3).map((i) => `#   ${i.path}: ${i.detail ?? ''}`);
      changes.push({
        file: 'Dockerfile',
        snippet: `${layerComment(l)}\n# adds content the image already has:\n${pairs.join('\n')}\n# copy it once (one COPY of the shared directory), or link to the first copy:\nRUN ln -sf ORIGINAL DUPLICATE`,
      });
    }
  }
  return changes;
}

function dockerignore(a: RecommendInput, layers: Layers): Draft | undefined {
  if (!a.tree || !a.layers) return undefined;
  const copies = new Map<number, string>();
  for (const l of a.layers) {
    const ins = instruction(l.command);
    if (ins.kind !== 'COPY' && ins.kind !== 'ADD') continue;
    if (/--from[= ]/.test(ins.body)) continue; // from another stage, not the build context
    const dest = copyDestination(ins.body);
    if (dest !== undefined) copies.set(l.index, dest);
  }
  if (copies.size === 0) return undefined;
  const hits = dockerignoreHits(a.tree, copies);
  if (hits.length === 0) return undefined;
  const perEntry = new Map<string, number>();
  for (const h of hits) perEntry.set(h.entry, (perEntry.get(h.entry) ?? 0) + h.item.size);
  const entries = [...perEntry.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const total = hits.reduce((n, h) => n + h.item.size, 0);
  const items = hits.map((h) => ({ ...h.item, detail: `.dockerignore: ${h.entry}` }));
  return {
    id: 'dockerignore',
    title: 'development files copied from the build context',
    savingBytes: total,
    unit: 'uncompressed',
    hint: 'list them in .dockerignore so COPY never sends them into the image',
    ...evidenceOf(layers, items, items.length, total),
    changes: [
      {
        file: '.dockerignore',
        // .dockerignore takes comments only on lines of their own.
        snippet: entries.map(([e, n]) => `# ${n} bytes in this image\n${e}`).join('\n'),
      },
    ],
  };
}
