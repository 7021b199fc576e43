/** Vulnerability scanning: Trivy reports, the policy gate, and table/JSON/SARIF output. */
export * from './types.js';
export { MissingToolError, ToolFailedError, ScanGateError } from './errors.js';
export { parseTrivyReport, readTrivyReport } from './trivy-report.js';
export type { ReportMeta, ScanReport } from './trivy-report.js';
export {
  applyPolicy,
  compareBySeverity,
  effectiveIgnoreStatuses,
  parseExitCode,
  parseSeverityList,
  parseStatusList,
  sortFindings,
} from './policy.js';
export type { Gate, IgnoredFinding, PolicyOptions, PolicyResult } from './policy.js';
export { loadIgnoreFile, matchIgnore, parseTrivyIgnore, parseTrivyIgnoreYaml } from './trivyignore.js';
export type { IgnoreFile, IgnoreRule } from './trivyignore.js';
export { toSarif, severityToLevel, severityToScore, GHCR_OPTIMIZE_TOOL, SARIF_SCHEMA_URI } from './sarif.js';
export type { SarifFinding, SarifLog, SarifLevel, ToSarifOptions } from './sarif.js';
export { vulnerabilitiesToSarif, vulnerabilityToSarif, toPathUri, TRIVY_TOOL } from './trivy-sarif.js';
export { renderTable } from './render-table.js';
export { buildTrivyArgs, findExecutable, requireTrivy, runTrivy } from './trivy-runner.js';
export type { TrivyTarget } from './trivy-runner.js';
export { evaluate, parseInputSpec, readReports, renderOutcome, toJsonDocument, toSarifLog } from './scan.js';
export type { ReportInput, ScanFormat, ScanJson, ScanOutcome } from './scan.js';
