/** Milliseconds since the epoch as ISO-8601 UTC; "-" when there is no timestamp. */
export function isoTime(ms: number): string {
  return ms >= 0 ? new Date(ms).toISOString() : '-';
}

/** A plain-text table with left-aligned columns, for terminal output. */
export function table(headings: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [headings, ...rows.map((row) => row.map(String))];
  const widths = headings.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  return cells.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}

export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
