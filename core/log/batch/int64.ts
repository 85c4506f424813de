/**
 * Kafka's i64 fields (offsets, timestamps, producer ids) as JS numbers. Reading through two 32-bit
 * halves is several times faster than BigInt, and real offsets and millisecond timestamps stay far
 * below 2^53. Reading a value beyond 2^53 (only a corrupt field holds one) loses its low bits;
 * writing one is refused.
 */
export function readInt64(buf: Buffer, position: number): number {
  const high = buf.readInt32BE(position);
  const low = buf.readUInt32BE(position + 4);
  return high * 0x1_0000_0000 + low;
}

export function writeInt64(buf: Buffer, value: number, position: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer for an i64 field`);
  const high = Math.floor(value / 0x1_0000_0000);
  buf.writeInt32BE(high, position);
  buf.writeUInt32BE(value - high * 0x1_0000_0000, position + 4);
}
