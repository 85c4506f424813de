import { describe, expect, it } from 'vitest';
import { ProducerState } from './producer-state';

describe('producer state snapshots', () => {
  it('an empty snapshot is exactly the 10 bytes Kafka writes', () => {
    expect(new ProducerState().encodeSnapshot().toString('hex')).toBe('0001486' + '74bc700000000');
  });

  it('round-trips producers, and two producers take 102 bytes as in Kafka', () => {
    const state = new ProducerState();
    state.apply({ producerId: 7, producerEpoch: 1, baseSequence: 0, baseOffset: 10, lastOffset: 14, maxTimestamp: 1700000000000, isTransactional: false, isControl: false });
    state.apply({ producerId: 9, producerEpoch: 0, baseSequence: 5, baseOffset: 15, lastOffset: 15, maxTimestamp: 1700000000001, isTransactional: true, isControl: false });
    const bytes = state.encodeSnapshot();
    expect(bytes.length).toBe(102);
    const back = ProducerState.decodeSnapshot(bytes)!;
    expect(back.get(7)).toMatchObject({ epoch: 1, lastSequence: 4, lastOffset: 14, offsetDelta: 4 });
    expect(back.get(9)).toMatchObject({ lastSequence: 5, currentTxnFirstOffset: 15 });
  });

  it('a damaged snapshot is refused, not half-read', () => {
    const bytes = new ProducerState().encodeSnapshot();
    bytes[9] = 1;
    expect(ProducerState.decodeSnapshot(bytes)).toBeUndefined();
  });

  it('sequences wrap at 2^31 as Kafka defines them', () => {
    const state = new ProducerState();
    state.apply({ producerId: 1, producerEpoch: 0, baseSequence: 0x7ffffffe, baseOffset: 0, lastOffset: 3, maxTimestamp: 1, isTransactional: false, isControl: false });
    expect(state.get(1)!.lastSequence).toBe(1);
  });
});

describe('idempotent producer sequence checks', () => {
  const batch = (baseSequence: number, baseOffset: number, count: number, epoch = 0) => ({ producerId: 3, producerEpoch: epoch, baseSequence, baseOffset, lastOffset: baseOffset + count - 1, maxTimestamp: 1, isTransactional: false, isControl: false });

  it('a retry of a recent batch is a duplicate with its original offsets; a gap is out of order', () => {
    const state = new ProducerState();
    expect(state.check(3, 0, 0, 4)).toEqual({ kind: 'append' });
    state.apply(batch(0, 100, 5));
    state.apply(batch(5, 105, 5));
    expect(state.check(3, 0, 0, 4)).toEqual({ kind: 'duplicate', baseOffset: 100, lastOffset: 104 });
    expect(state.check(3, 0, 5, 4)).toEqual({ kind: 'duplicate', baseOffset: 105, lastOffset: 109 });
    expect(state.check(3, 0, 10, 4)).toEqual({ kind: 'append' });
    expect(state.check(3, 0, 12, 4)).toEqual({ kind: 'out-of-order', expected: 10 });
  });

  it('an older epoch is fenced; a new epoch starts at sequence 0', () => {
    const state = new ProducerState();
    state.apply(batch(0, 0, 1, 2));
    expect(state.check(3, 1, 1, 0)).toEqual({ kind: 'fenced', currentEpoch: 2 });
    expect(state.check(3, 3, 0, 0)).toEqual({ kind: 'append' });
    expect(state.check(3, 3, 7, 0)).toEqual({ kind: 'out-of-order', expected: 0 });
  });

  it('after a restart from a snapshot, a retry of the last batch is still recognised', () => {
    const state = new ProducerState();
    state.apply(batch(0, 0, 3));
    state.apply(batch(3, 3, 2));
    const back = ProducerState.decodeSnapshot(state.encodeSnapshot())!;
    expect(back.check(3, 0, 3, 1)).toEqual({ kind: 'duplicate', baseOffset: 3, lastOffset: 4 });
    expect(back.check(3, 0, 5, 0)).toEqual({ kind: 'append' });
  });
});
