/** The codec ids stored in bits 0-2 of a batch's (or legacy message's) attributes. */
export enum CompressionCodec {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

const NAMES: Record<CompressionCodec, string> = {
  [CompressionCodec.None]: 'none',
  [CompressionCodec.Gzip]: 'gzip',
  [CompressionCodec.Snappy]: 'snappy',
  [CompressionCodec.Lz4]: 'lz4',
  [CompressionCodec.Zstd]: 'zstd',
};

export function codecName(codec: number): string {
  return NAMES[codec as CompressionCodec] ?? `unknown(${codec})`;
}

export function isKnownCodec(codec: number): codec is CompressionCodec {
  return codec in NAMES;
}

export function codecFromName(name: string): CompressionCodec | undefined {
  const found = Object.entries(NAMES).find(([, n]) => n === name.toLowerCase());
  return found ? (Number(found[0]) as CompressionCodec) : undefined;
}
