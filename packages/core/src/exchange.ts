/**
 * One request's progress, shared by the {@link Transport} (which owns the policy: deadline, size
 * cap, errors) and the sender that carries the bytes (senders.ts). Plain objects and one timer, not
 * an AbortController: on Node 20 an AbortSignal handed to `node:http` costs ~30 µs of listeners
 * per request (bench/README.md, "Fixes, measured").
 */

/** A body went past the size cap; the Transport turns it into `PROVIDER_BAD_RESPONSE`. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`body larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * One request to the provider in progress: its deadline, the status the provider answered (once
 * the status line is in) and the cap on the body's size.
 */
export class Exchange {
  /** The answer's HTTP status, set by the sender as soon as the status line arrives. */
  status: number | undefined;
  /** True once the deadline passed. */
  expired = false;
  private stop: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    timeoutMs: number,
    /** Bodies longer than this are refused (bytes). */
    readonly maxBodyBytes: number,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.stop?.();
    }, timeoutMs);
  }

  /** How the sender ends the request when the deadline passes (destroy it, abort the fetch). */
  onExpire(stop: () => void): void {
    this.stop = stop;
  }

  /** The answer is read (or failed): the deadline no longer applies. */
  finish(): void {
    clearTimeout(this.timer);
    this.stop = undefined;
  }
}

/** Collects a body's chunks, refusing to hold more than the cap, and joins them once at the end. */
export class BodyCollector {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Throws {@link BodyTooLargeError} when this chunk takes the body past the cap. */
  add(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size > this.maxBytes) throw new BodyTooLargeError(this.maxBytes);
    this.chunks.push(chunk);
  }

  bytes(): Uint8Array {
    return this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : Buffer.concat(this.chunks);
  }
}
