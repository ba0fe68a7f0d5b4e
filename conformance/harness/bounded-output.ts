// Reading an implementation's output with bounded memory and disk.
//
// Why: a student's program may print without a newline forever, print lines of
// megabytes, or print millions of lines a second. The harness must keep reading
// (a process whose pipe fills up blocks on its next write, which would look like
// a hang the student did not write) and must not grow without limit itself.
// So a line is cut after MAX_LINE_BYTES (the rest of it, up to the next
// newline, is skipped), and a log file stops growing after MAX_LOG_BYTES, with
// one line saying so and, when the process ends, how much was dropped.

import { createWriteStream, statSync, type WriteStream } from 'node:fs';

export const MAX_LINE_BYTES = 4 * 1024;
export const MAX_LOG_BYTES = 20 * 1024 * 1024;

const NEWLINE = 0x0a;
/** Room kept under the cap for the two lines that say output was dropped. */
const RESERVED_BYTES = 512;

/** Splits a byte stream into lines of at most maxBytes; a longer line is cut, and the cut marked. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  /** True from the moment the current line was cut until its newline: its bytes are skipped. */
  private skipping = false;

  constructor(
    private readonly onLine: (text: string) => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let rest = chunk;
    for (let at = rest.indexOf(NEWLINE); at !== -1; at = rest.indexOf(NEWLINE)) {
      this.append(rest.subarray(0, at));
      this.endLine();
      rest = rest.subarray(at + 1);
    }
    this.append(rest);
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.length > 0) this.endLine();
  }

  private append(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    if (this.length + bytes.length <= this.maxBytes) {
      this.parts.push(bytes);
      this.length += bytes.length;
      return;
    }
    // Too long: hand on its head at once (the line may never end) and skip the rest of it.
    this.parts.push(bytes.subarray(0, this.maxBytes - this.length));
    this.length = this.maxBytes;
    this.onLine(`${this.take()}… [line cut at ${this.maxBytes} bytes by the harness]`);
    this.skipping = true;
  }

  private endLine(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    this.onLine(this.take().replace(/\r$/, ''));
  }

  private take(): string {
    const text = Buffer.concat(this.parts, this.length).toString('utf8');
    this.parts = [];
    this.length = 0;
    return text;
  }
}

/** An append-only log file that stops growing at maxBytes and counts what it dropped. */
export class CappedLog {
  private readonly stream: WriteStream;
  private written: number;
  /** Bytes of output not written because the file reached its cap. */
  dropped = 0;

  constructor(private readonly file: string, private readonly maxBytes = MAX_LOG_BYTES) {
    // The cap is per file: a process started again appends to what it wrote before.
    this.written = fileSize(file);
    this.stream = createWriteStream(file, { flags: 'a' });
    this.stream.on('error', () => { /* a log that cannot be written must not crash the harness */ });
  }

  write(text: string): void {
    if (this.stream.writableEnded) return;
    const bytes = Buffer.byteLength(text);
    if (this.dropped === 0 && this.written + bytes <= this.maxBytes - RESERVED_BYTES) {
      this.written += bytes;
      this.stream.write(text);
      return;
    }
    if (this.dropped === 0) {
      this.stream.write(`${new Date().toISOString()} harness output beyond ${this.maxBytes} bytes is dropped from ${this.file} (the last lines stay in memory)\n`);
    }
    this.dropped += bytes;
  }

  end(): void {
    if (this.stream.writableEnded) return;
    if (this.dropped > 0) this.stream.write(`${new Date().toISOString()} harness ${this.dropped} bytes of output were dropped\n`);
    this.stream.end();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
