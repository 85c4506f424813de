/**
 * The path of the field being read or written ("Topics[0].Partitions[3].Records"), kept as a
 * stack of segments that the schema walker pushes and pops. The string is only built when an error
 * needs it, so decoding a large Fetch or Produce does not concatenate a path per field.
 */
export class FieldPath {
  private readonly segments: (string | number)[] = [];

  enter(segment: string | number): void {
    this.segments.push(segment);
  }

  leave(): void {
    this.segments.pop();
  }

  /** Depth, so a caller that catches an error mid-walk can restore the stack. */
  get depth(): number {
    return this.segments.length;
  }

  truncate(depth: number): void {
    this.segments.length = depth;
  }

  /** The path, with `leaf` appended when given: names joined by dots, array indexes in brackets. */
  format(leaf?: string): string {
    let out = '';
    for (const segment of this.segments) {
      if (typeof segment === 'number') out += `[${segment}]`;
      else out += out === '' ? segment : `.${segment}`;
    }
    if (leaf !== undefined && leaf !== '') out += out === '' ? leaf : `.${leaf}`;
    return out;
  }
}
