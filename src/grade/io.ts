// In-memory guest streams for grading: stdin from the spec, stdout/stderr captured in chunks,
// an output cap that ends the run (StopRun 'output-limit') instead of flooding the grader.
import { StopRun } from '../machine/exceptions.js';
import type { GuestIO } from '../env/io.js';

export class GradeIO implements GuestIO {
  private readonly input: Uint8Array;
  private inPos = 0;
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];
  written = 0;

  constructor(stdin: string, private readonly cap: number) {
    this.input = new TextEncoder().encode(stdin);
  }

  write(fd: 1 | 2, data: Uint8Array): void {
    const target = fd === 1 ? this.out : this.err;
    if (this.written + data.length > this.cap) {
      const room = Math.max(0, this.cap - this.written);
      target.push(data.slice(0, room));
      this.written += room;
      throw new StopRun('output-limit', 0, `output limit reached: the program printed more than ${this.cap} bytes (max_output)`);
    }
    this.written += data.length;
    target.push(data.slice());
  }

  read(max: number): Uint8Array {
    if (max <= 0 || this.inPos >= this.input.length) return new Uint8Array(0);
    const n = Math.min(max, this.input.length - this.inPos);
    const out = this.input.slice(this.inPos, this.inPos + n);
    this.inPos += n;
    return out;
  }

  readLine(): string | null {
    if (this.inPos >= this.input.length) return null;
    let end = this.input.indexOf(10, this.inPos);
    end = end < 0 ? this.input.length : end + 1;
    const s = Buffer.from(this.input.subarray(this.inPos, end)).toString('latin1');
    this.inPos = end;
    return s;
  }

  flush(): void {}

  stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }
}
