/**
 * Plain-text tables for terminal output: every column but the last padded to its widest cell,
 * two spaces between columns, no trailing blanks. The one aligner of the CLI's renderings
 * (findings, flow logs, the twin's run, verify).
 */

/** Aligns rows into lines, each starting with `indent`; a missing cell counts as empty. */
export function alignColumns(rows: readonly (readonly string[])[], indent = ''): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
