/** Fixtures and builders shared by the scan tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Finding } from '../../../src/scan/types.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
export const TRIVY = join(FIXTURES, 'trivy');

export function trivyFixture(name: string): string {
  return join(TRIVY, name);
}

export function readTrivyFixture(name: string): string {
  return readFileSync(trivyFixture(name), 'utf8');
}

/** Every real Trivy JSON report in test/fixtures/trivy. */
export function trivyJsonGoldens(): string[] {
  return readdirSync(TRIVY)
    .filter((f) => f.endsWith('.json.golden'))
    .sort();
}

let validator: ValidateFunction | undefined;

/**
 * Ajv validator for the committed official SARIF 2.1.0 schema. The schema is draft-04 (`id`,
 * `$schema: draft-04`); Ajv 8 speaks draft-07, which reads this schema the same once `id` is
 * `$id`. Formats are not checked (ajv-formats is not a dependency).
 */
export function sarifValidator(): ValidateFunction {
  if (validator) return validator;
  const raw = JSON.parse(readFileSync(join(FIXTURES, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as {
    id: string;
    $schema?: string;
  } & Record<string, unknown>;
  const { $schema: _draft04, id, ...rest } = raw;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  validator = ajv.compile({ $id: id, ...rest });
  return validator;
}

/** Ajv's errors as readable lines, for assertion messages. */
export function sarifErrors(doc: unknown): string[] {
  const v = sarifValidator();
  return v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    target: 'ghcr.io/o/app:1 (alpine 3.20.3)',
    class: 'os-pkgs',
    type: 'alpine',
    vulnerabilityId: 'CVE-2024-0001',
    pkgName: 'musl',
    installedVersion: '1.2.5-r0',
    fixedVersion: '1.2.5-r1',
    status: 'fixed',
    severity: 'HIGH',
    title: 'musl: something bad',
    primaryUrl: 'https://avd.aquasec.com/nvd/cve-2024-0001',
    ...over,
  };
}

/** A minimal Trivy JSON report around `vulnerabilities` (raw Trivy field names). */
export function trivyReport(
  vulnerabilities: Record<string, unknown>[] | undefined,
  over: Record<string, unknown> = {},
  result: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'ghcr.io/o/app:1',
    ArtifactType: 'container_image',
    Results: [
      {
        Target: 'ghcr.io/o/app:1 (alpine 3.20.3)',
        Class: 'os-pkgs',
        Type: 'alpine',
        ...(vulnerabilities ? { Vulnerabilities: vulnerabilities } : {}),
        ...result,
      },
    ],
    ...over,
  });
}

export function rawVuln(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    VulnerabilityID: 'CVE-2024-0001',
    PkgName: 'musl',
    InstalledVersion: '1.2.5-r0',
    FixedVersion: '1.2.5-r1',
    Status: 'fixed',
    Severity: 'HIGH',
    ...over,
  };
}
