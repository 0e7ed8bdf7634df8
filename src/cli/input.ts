// Reading the user's input files: a missing or unreadable file is the user's error (exit 66,
// "FILE: cannot read: no such file"), never a stack trace.
import { readFileSync, statSync } from 'node:fs';
import { EXIT } from './exit-codes.js';

/** An error the user caused; printed without a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export function readInput(file: string): Uint8Array {
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, expected a program file`, EXIT.badInput);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`${file}: cannot read: ${why}`, EXIT.badInput);
  }
}
