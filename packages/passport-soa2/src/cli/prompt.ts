/**
 * Lines typed on standard input, one at a time, for the CLI's confirmations. The end of input
 * (Ctrl+D, a closed pipe, CI's empty stdin) answers `undefined` at once, so nothing ever waits for
 * a person who is not there.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';

export class LineReader {
  readonly #input: Readable;
  readonly #lines: string[] = [];
  readonly #waiting: Array<(line: string | undefined) => void> = [];
  #readline: Interface | undefined;
  #ended = false;

  constructor(input: Readable) {
    this.#input = input;
  }

  /** The next line typed, or `undefined` once the input has ended. */
  next(): Promise<string | undefined> {
    this.#start();
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops reading, so the process can exit although the input is still open. */
  close(): void {
    this.#readline?.close();
    this.#input.pause();
    (this.#input as { unref?: () => void }).unref?.();
  }

  /** Reading starts on the first question: a command that asks nothing leaves stdin alone. */
  #start(): void {
    if (this.#readline) return;
    this.#readline = createInterface({ input: this.#input, crlfDelay: Number.POSITIVE_INFINITY });
    this.#readline.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#readline.on('close', () => {
      this.#ended = true;
      for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    });
  }
}
