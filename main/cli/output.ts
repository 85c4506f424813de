/**
 * Buffered line output for commands that may print millions of lines. Writing each line to the
 * stream separately costs a syscall per line; a closed pipe (`tapedeck dump | head`) ends the
 * command quietly instead of with an EPIPE stack trace.
 */
export class LineOutput {
  private chunks: string[] = [];
  private size = 0;
  private closed = false;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  line(text: string): void {
    if (this.closed) return;
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0 || this.closed) return;
    this.stream.write(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }

  /** Flushes and waits until the stream has taken everything, so exit does not cut the output. */
  async end(): Promise<void> {
    this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      if (this.stream.write('')) resolve();
      else this.stream.once('drain', () => resolve());
    });
  }
}
