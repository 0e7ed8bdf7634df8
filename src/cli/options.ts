// Parsers for command-line values, with messages that say what was expected.
import { InvalidArgumentError } from 'commander';

export function parseInteger(what: string, min = 0) {
  return (v: string): number => {
    const s = v.replace(/_/g, '');
    const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer >= ${min} (decimal or 0x hex), got '${v}'`);
    return n;
  };
}

export function parseAddress(v: string): number {
  const n = parseInteger('address')(v);
  if (n > 0xffffffff) throw new InvalidArgumentError(`address must fit in 32 bits, got '${v}'`);
  return n;
}

export function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`seconds must be a positive number, got '${v}'`);
  return n;
}

export function parseMiB(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 1 || n > 4096) throw new InvalidArgumentError(`size in MiB must be between 1 and 4096, got '${v}'`);
  return Math.floor(n * 1024 * 1024);
}

export function oneOf<T extends string>(what: string, values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}; got '${v}'`);
    return v as T;
  };
}
