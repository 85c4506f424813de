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
