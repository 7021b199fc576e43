/**
 * Reads Trivy's JSON report (`trivy image --format json`, SchemaVersion 2) into findings.
 *
 * Tolerant where Trivy is loose: every array may be absent or null (Go `omitempty` / nil slices),
 * a missing `Status` means `unknown`, a missing `Severity` means `UNKNOWN` (as Trivy's own filter
 * does), and unknown fields are ignored. Strict where it matters: a document that is not a Trivy
 * report, or a field of the wrong type, is a one-line error naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { isSeverity, type Cvss, type Finding, type LineRange, type Severity } from './types.js';

const str = z.string().optional();
const num = z.number().optional();

const cvssSchema = z.looseObject({
  V2Vector: str,
  V3Vector: str,
  V40Vector: str,
  V2Score: num,
  V3Score: num,
  V40Score: num,
});

const vulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string().min(1),
  PkgID: str,
  PkgName: str,
  PkgPath: str,
  PkgIdentifier: z.looseObject({ PURL: str, UID: str }).nullish(),
  InstalledVersion: str,
  FixedVersion: str,
  Status: str,
  Layer: z.looseObject({ Digest: str, DiffID: str }).nullish(),
  SeveritySource: str,
  PrimaryURL: str,
  Title: str,
  Description: str,
  Severity: str,
  CVSS: z.record(z.string(), cvssSchema).nullish(),
});

const packageSchema = z.looseObject({
  Name: str,
  Version: str,
  Locations: z.array(z.looseObject({ StartLine: num, EndLine: num })).nullish(),
});

const resultSchema = z.looseObject({
  Target: z.string().default(''),
  Class: str,
  Type: str,
  Packages: z.array(packageSchema).nullish(),
  Vulnerabilities: z.array(vulnerabilitySchema).nullish(),
});

const reportSchema = z.looseObject({
  SchemaVersion: z.number(),
  ArtifactName: str,
  ArtifactType: str,
  Trivy: z.looseObject({ Version: str }).nullish(),
  Metadata: z
    .looseObject({
      ImageID: str,
      RepoTags: z.array(z.string()).nullish(),
      RepoDigests: z.array(z.string()).nullish(),
      OS: z.looseObject({ Family: str, Name: str }).nullish(),
    })
    .nullish(),
  Results: z.array(resultSchema).nullish(),
});

type RawVulnerability = z.infer<typeof vulnerabilitySchema>;
type RawResult = z.infer<typeof resultSchema>;

/** What a report says about the scanned artifact (for SARIF run properties and our JSON). */
export interface ReportMeta {
  /** The file the report came from, or `trivy` when we ran it. */
  source: string;
  platform?: string;
  artifactName?: string;
  artifactType?: string;
  trivyVersion?: string;
  imageId?: string;
  repoTags?: string[];
  repoDigests?: string[];
  /** `alpine 3.20.3` */
  os?: string;
}

export interface ScanReport {
  meta: ReportMeta;
  findings: Finding[];
}

const REPORT_HINT = 'give the output of "trivy image --format json --output report.json IMAGE"';

/** Explains what a JSON document is when it is not a Trivy report. */
function notTrivy(doc: Record<string, unknown>, source: string): UsageError {
  const kind =
    'runs' in doc && 'version' in doc
      ? 'a SARIF log'
      : 'bomFormat' in doc
        ? 'a CycloneDX SBOM'
        : 'spdxVersion' in doc
          ? 'an SPDX document'
          : undefined;
  return new UsageError(
    kind
      ? `${source} is ${kind}, not a Trivy JSON report`
      : `${source} is not a Trivy JSON report (no SchemaVersion)`,
    { hint: REPORT_HINT },
  );
}

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(document)';
}

/** Parses the text of a Trivy JSON report; `source` names it in errors. */
export function parseTrivyReport(text: string, source: string, platform?: string): ScanReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON: ${(err as Error).message}`, { hint: REPORT_HINT });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`${source} is not a Trivy JSON report (expected an object)`, { hint: REPORT_HINT });
  }
  const obj = doc as Record<string, unknown>;
  if (!('SchemaVersion' in obj)) throw notTrivy(obj, source);
  if (obj.SchemaVersion !== 2) {
    throw new UsageError(
      `${source}: Trivy report SchemaVersion ${JSON.stringify(obj.SchemaVersion)} is not supported`,
      {
        hint: 'SchemaVersion 2 is written by Trivy 0.20 and later; upgrade Trivy and scan again',
      },
    );
  }
  const parsed = reportSchema.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${source}: invalid Trivy report at ${issue ? issuePath(issue.path) : '(document)'}: ${issue?.message ?? 'unknown problem'}`,
    );
  }
  const r = parsed.data;
  const meta: ReportMeta = {
    source,
    ...(platform ? { platform } : {}),
    ...(r.ArtifactName ? { artifactName: r.ArtifactName } : {}),
    ...(r.ArtifactType ? { artifactType: r.ArtifactType } : {}),
    ...(r.Trivy?.Version ? { trivyVersion: r.Trivy.Version } : {}),
    ...(r.Metadata?.ImageID ? { imageId: r.Metadata.ImageID } : {}),
    ...(r.Metadata?.RepoTags ? { repoTags: r.Metadata.RepoTags } : {}),
    ...(r.Metadata?.RepoDigests ? { repoDigests: r.Metadata.RepoDigests } : {}),
    ...(r.Metadata?.OS?.Family
      ? { os: [r.Metadata.OS.Family, r.Metadata.OS.Name].filter(Boolean).join(' ') }
      : {}),
  };
  const findings = (r.Results ?? []).flatMap((res) =>
    (res.Vulnerabilities ?? []).map((v) => toFinding(res, v, platform)),
  );
  return { meta, findings };
}

/** Reads and parses a report file; an unreadable file is a usage error naming it. */
export async function readTrivyReport(path: string, platform?: string): Promise<ScanReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`cannot read Trivy report ${path}: ${code}`, {
      hint: 'check the path given to --input',
    });
  }
  return parseTrivyReport(text, path, platform);
}

function normaliseSeverity(s: string | undefined): Severity {
  const up = (s ?? '').toUpperCase();
  return isSeverity(up) ? up : 'UNKNOWN';
}

/** Trivy's SARIF writer looks packages up by name and version to find their declaration lines. */
function locationsOf(res: RawResult, name: string, version: string): LineRange[] | undefined {
  const pkg = (res.Packages ?? []).find((p) => p.Name === name && p.Version === version);
  const locs = (pkg?.Locations ?? []).map((l) => ({ startLine: l.StartLine ?? 0, endLine: l.EndLine ?? 0 }));
  return locs.length > 0 ? locs : undefined;
}

function cvssOf(v: RawVulnerability): Cvss | undefined {
  const c = v.SeveritySource ? v.CVSS?.[v.SeveritySource] : undefined;
  if (!c) return undefined;
  const out: Cvss = {
    ...(c.V2Vector ? { v2Vector: c.V2Vector } : {}),
    ...(c.V2Score ? { v2Score: c.V2Score } : {}),
    ...(c.V3Vector ? { v3Vector: c.V3Vector } : {}),
    ...(c.V3Score ? { v3Score: c.V3Score } : {}),
    ...(c.V40Vector ? { v40Vector: c.V40Vector } : {}),
    ...(c.V40Score ? { v40Score: c.V40Score } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

function toFinding(res: RawResult, v: RawVulnerability, platform: string | undefined): Finding {
  const pkgName = v.PkgName ?? '';
  const installedVersion = v.InstalledVersion ?? '';
  const cvss = cvssOf(v);
  const locations = locationsOf(res, pkgName, installedVersion);
  return {
    ...(platform ? { platform } : {}),
    target: res.Target,
    class: res.Class ?? '',
    ...(res.Type ? { type: res.Type } : {}),
    vulnerabilityId: v.VulnerabilityID,
    pkgName,
    ...(v.PkgID ? { pkgId: v.PkgID } : {}),
    ...(v.PkgPath ? { pkgPath: v.PkgPath } : {}),
    ...(v.PkgIdentifier?.PURL ? { purl: v.PkgIdentifier.PURL } : {}),
    installedVersion,
    ...(v.FixedVersion ? { fixedVersion: v.FixedVersion } : {}),
    status: v.Status || 'unknown',
    severity: normaliseSeverity(v.Severity),
    ...(v.SeveritySource ? { severitySource: v.SeveritySource } : {}),
    ...(v.Title ? { title: v.Title } : {}),
    ...(v.Description ? { description: v.Description } : {}),
    ...(v.PrimaryURL ? { primaryUrl: v.PrimaryURL } : {}),
    ...(cvss ? { cvss } : {}),
    ...(v.Layer?.Digest ? { layerDigest: v.Layer.Digest } : {}),
    ...(locations ? { locations } : {}),
  };
}
