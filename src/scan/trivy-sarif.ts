/**
 * Vulnerability findings as Trivy's own SARIF writer (pkg/report/sarif.go) renders them, so that
 * GitHub code scanning shows the same alerts whether Trivy or ghcr-optimize wrote the file:
 * driver "Trivy", a rule per vulnerability id, the same levels, `security-severity`, tags,
 * messages, and artifact URIs (an OS target `IMAGE (alpine 3.20)` becomes the image's
 * repository path, as go-containerregistry's `RepositoryStr()` gives it).
 *
 * Per-platform reports are merged into one run: a finding present on several platforms is one
 * result with `properties.platforms`, so an alert is not duplicated per architecture.
 */
import type { ReportMeta } from './trivy-report.js';
import { severityToScore, toSarif, type SarifFinding, type SarifLog } from './sarif.js';
import type { Finding } from './types.js';

export const TRIVY_TOOL = {
  name: 'Trivy',
  fullName: 'Trivy Vulnerability Scanner',
  informationUri: 'https://github.com/aquasecurity/trivy',
} as const;

const RULE_NAMES: Record<string, string> = {
  'os-pkgs': 'OsPackageVulnerability',
  'lang-pkgs': 'LanguageSpecificPackageVulnerability',
  config: 'Misconfiguration',
  secret: 'Secret',
  license: 'License',
  'license-file': 'License',
};

export function sarifRuleName(resultClass: string): string {
  return RULE_NAMES[resultClass] ?? 'UnknownIssue';
}

// --- go-containerregistry's name.ParseReference, as far as RepositoryStr() needs it ---------

const REPOSITORY_CHARS = /^[a-z0-9_\-./]+$/;
const TAG_CHARS = /^[A-Za-z0-9_\-.]+$/;
const REGISTRY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-_.~!$&'()*+,;=<>"]+)(?::\d*)?$/;

function ggcrRepository(name: string): string | undefined {
  if (name === '') return undefined;
  let registry = '';
  let repo = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    // The first component is a registry only when it contains "." or ":" (so "localhost/x" is not).
    if (first.includes('.') || first.includes(':')) {
      registry = first;
      repo = name.slice(slash + 1);
    }
  }
  const runes = [...repo].length;
  if (runes < 2 || runes > 255 || !REPOSITORY_CHARS.test(repo)) return undefined;
  if (registry !== '' && !REGISTRY.test(registry)) return undefined;
  const dockerHub = registry === '' || registry === 'docker.io' || registry === 'index.docker.io';
  return dockerHub && !repo.includes('/') ? `library/${repo}` : repo;
}

function ggcrTag(name: string): string | undefined {
  const parts = name.split(':');
  const last = parts[parts.length - 1] ?? '';
  if (parts.length > 1 && !last.includes('/')) {
    if (last === '' || last.length > 128 || !TAG_CHARS.test(last)) return undefined;
    return ggcrRepository(parts.slice(0, -1).join(':'));
  }
  return ggcrRepository(name);
}

/** The repository path of `name` when it parses as an image reference (tag or digest), else undefined. */
export function repositoryPath(name: string): string | undefined {
  const tagged = ggcrTag(name);
  if (tagged !== undefined) return tagged;
  const parts = name.split('@');
  if (parts.length !== 2 || !/^sha256:[a-f0-9]{64}$/.test(parts[1] ?? '')) return undefined;
  return ggcrTag(parts[0] ?? '');
}

/**
 * Trivy's ToPathUri: for OS packages, drop a trailing ` (distro version)` and reduce an image
 * reference to its repository path; other classes keep the target as it is.
 */
export function toPathUri(input: string, resultClass: string): string {
  if (resultClass !== 'os-pkgs') return input;
  const m = /(.+?)(?:\s*\(.*?\).*?)?$/.exec(input);
  let path = m?.[1] ?? input;
  path = repositoryPath(path) ?? path;
  return path.replaceAll('\\', '/');
}

// --- Go's url.Parse(s).String() for the relative paths Trivy passes through it ---------------

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function goShouldEscapePath(c: string): boolean {
  return !(UNRESERVED.test(c) || '$&+,/:;=@'.includes(c));
}

function goValidEncodedPath(s: string): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(c)) continue;
    if (c.length !== 1 || c.charCodeAt(0) >= 0x80 || goShouldEscapePath(c)) return false;
  }
  return true;
}

function goEscapePath(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && !goShouldEscapePath(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * What Trivy writes as an artifact URI: `url.Parse(s).String()`, or "" when Go cannot parse it.
 * Covers relative paths (the image case); absolute URLs are returned unchanged.
 */
export function goUriString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) return '';
  const hash = s.indexOf('#');
  const [beforeFragment, fragment] = hash >= 0 ? [s.slice(0, hash), s.slice(hash + 1)] : [s, undefined];
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(beforeFragment)) return s;
  if (beforeFragment.startsWith(':')) return '';
  const q = beforeFragment.indexOf('?');
  const [rawPath, query] =
    q >= 0 ? [beforeFragment.slice(0, q), beforeFragment.slice(q + 1)] : [beforeFragment, ''];
  if ((rawPath.split('/')[0] ?? '').includes(':')) return '';
  if (rawPath.startsWith('//')) return s;
  let decoded: string;
  try {
    if (/%(?![0-9A-Fa-f]{2})/.test(rawPath)) return '';
    decoded = decodeURIComponent(rawPath);
  } catch {
    return '';
  }
  const path = goValidEncodedPath(rawPath) ? rawPath : goEscapePath(decoded);
  return `${path}${query ? `?${query}` : ''}${fragment ? `#${goEscapePath(fragment)}` : ''}`;
}

// --- the conversion ------------------------------------------------------------------------

function ruleProperties(f: Finding): { props: Record<string, unknown>; score: string } {
  const c = f.cvss;
  const props: Record<string, unknown> = { precision: 'very-high' };
  if (c?.v2Vector) props.cvssv2_vector = c.v2Vector;
  if (c?.v2Score) props.cvssv2_score = c.v2Score;
  if (c?.v3Vector) props.cvssv3_vector = c.v3Vector;
  if (c?.v3Score) props.cvssv3_baseScore = c.v3Score;
  if (c?.v40Vector) props.cvssv40_vector = c.v40Vector;
  if (c?.v40Score) props.cvssv40_baseScore = c.v40Score;
  return { props, score: c?.v3Score ? c.v3Score.toFixed(1) : severityToScore(f.severity) };
}

/** One vulnerability finding in Trivy's SARIF shape (without platforms). */
export function vulnerabilityToSarif(f: Finding): SarifFinding {
  const target = toPathUri(f.target, f.class);
  const path = f.pkgPath ? toPathUri(f.pkgPath, f.class) : target;
  const id = f.vulnerabilityId;
  const sev = f.severity;
  const fixed = f.fixedVersion ?? '';
  const url = f.primaryUrl ?? '';
  const description = f.description ?? '';
  const { props, score } = ruleProperties(f);
  const helpUri = goUriString(url);
  return {
    ruleId: id,
    ruleName: sarifRuleName(f.class),
    shortDescription: f.title ?? '',
    fullDescription: description || (f.title ?? ''),
    ...(helpUri ? { helpUri } : {}),
    help: {
      text: `Vulnerability ${id}\nSeverity: ${sev}\nPackage: ${f.pkgName}\nFixed Version: ${fixed}\nLink: [${id}](${url})\n${description}`,
      markdown: `**Vulnerability ${id}**\n| Severity | Package | Fixed Version | Link |\n| --- | --- | --- | --- |\n|${sev}|${f.pkgName}|${fixed}|[${id}](${url})|\n\n${description}`,
    },
    severity: sev,
    securitySeverity: score,
    tags: ['vulnerability', 'security', sev],
    ruleProperties: props,
    message: `Package: ${f.pkgName}\nInstalled Version: ${f.installedVersion}\nVulnerability ${id}\nSeverity: ${sev}\nFixed Version: ${fixed}\nLink: [${id}](${url})`,
    uri: goUriString(path),
    uriBaseId: 'ROOTPATH',
    ...(f.locations ? { regions: f.locations } : {}),
    locationMessage: `${path}: ${f.pkgName}@${f.installedVersion}`,
  };
}

function runProperties(metas: readonly ReportMeta[]): Record<string, unknown> | undefined {
  const first = metas[0];
  if (!first || first.artifactType !== 'container_image') return undefined;
  const props: Record<string, unknown> = {
    imageName: first.artifactName ?? '',
    repoTags: first.repoTags ?? null,
    repoDigests: first.repoDigests ?? null,
    imageID: first.imageId ?? '',
  };
  const perPlatform = metas.filter((m) => m.platform);
  if (perPlatform.length > 0) {
    props.platforms = perPlatform.map((m) => ({ platform: m.platform, imageID: m.imageId ?? '' }));
  }
  return props;
}

/**
 * SARIF for policy-filtered vulnerability findings of one or more (per-platform) Trivy reports.
 * Identical results on several platforms are merged, listing the platforms.
 */
export function vulnerabilitiesToSarif(
  findings: readonly Finding[],
  metas: readonly ReportMeta[],
  converter?: { name: string; version?: string },
): SarifLog {
  const merged = new Map<string, { sarif: SarifFinding; platforms: string[] }>();
  for (const f of findings) {
    const s = vulnerabilityToSarif(f);
    const key = JSON.stringify([s.ruleId, s.message, s.uri, s.locationMessage, s.regions ?? null]);
    const entry = merged.get(key);
    if (entry) {
      if (f.platform && !entry.platforms.includes(f.platform)) entry.platforms.push(f.platform);
    } else {
      merged.set(key, { sarif: s, platforms: f.platform ? [f.platform] : [] });
    }
  }
  const list = [...merged.values()].map(({ sarif, platforms }) =>
    platforms.length > 0 ? { ...sarif, properties: { platforms } } : sarif,
  );
  const version = metas.find((m) => m.trivyVersion)?.trivyVersion;
  const props = runProperties(metas);
  return toSarif(list, {
    tool: { ...TRIVY_TOOL, ...(version ? { version } : {}) },
    ...(converter ? { conversion: converter } : {}),
    ...(props ? { runProperties: props } : {}),
  });
}
