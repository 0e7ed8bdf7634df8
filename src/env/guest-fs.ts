// Host file access for guests, confined to one directory the user granted (--fs-root).
import { closeSync, existsSync, openSync, readSync, realpathSync, writeSync, constants as C } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export type OpenMode = 'read' | 'write' | 'append' | 'readwrite';

export interface OpenRequest {
  mode: OpenMode;
  create: boolean;
  truncate: boolean;
}

/** Guest file descriptors 3.. backed by host files under `root`. */
export class GuestFiles {
  private fds = new Map<number, number>(); // guest fd -> host fd
  private nextFd = 3;
  private readonly realRoot: string | null;

  constructor(root: string | null, private readonly writable: boolean) {
    this.realRoot = root ? realpathSync(root) : null;
  }

  get enabled(): boolean {
    return this.realRoot !== null;
  }

  /** The host path for a guest path, or null if it is outside the granted directory. */
  resolvePath(guestPath: string): string | null {
    if (!this.realRoot || guestPath.length === 0 || guestPath.includes('\0')) return null;
    // Guest paths are relative to the root; "/x" means root/x. ".." cannot climb above the root.
    const parts: string[] = [];
    for (const p of guestPath.split('/')) {
      if (p === '' || p === '.') continue;
      if (p === '..') parts.pop();
      else parts.push(p);
    }
    const host = resolve(this.realRoot, ...parts);
    // Symlinks may point anywhere: check where the deepest existing ancestor really is.
    let probe = host;
    while (!existsSync(probe) && probe !== this.realRoot) probe = dirname(probe);
    let real: string;
    try {
      real = realpathSync(probe);
    } catch {
      return null;
    }
    const rel = relative(this.realRoot, real);
    if (rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) return null;
    if (existsSync(host)) {
      const relHost = relative(this.realRoot, realpathSync(host));
      if (relHost.startsWith('..' + sep) || relHost === '..' || isAbsolute(relHost)) return null;
    }
    return host;
  }

  /** Opens a file; returns the guest fd or -1. */
  open(guestPath: string, req: OpenRequest): number {
    const host = this.resolvePath(guestPath);
    if (!host) return -1;
    const writes = req.mode !== 'read';
    if (writes && !this.writable) return -1;
    let flags = { read: C.O_RDONLY, write: C.O_WRONLY, append: C.O_WRONLY | C.O_APPEND, readwrite: C.O_RDWR }[req.mode];
    if (req.create) flags |= C.O_CREAT;
    if (req.truncate) flags |= C.O_TRUNC;
    flags |= C.O_NOFOLLOW;
    try {
      const hostFd = openSync(host, flags, 0o644);
      const fd = this.nextFd++;
      this.fds.set(fd, hostFd);
      return fd;
    } catch {
      return -1;
    }
  }

  has(fd: number): boolean {
    return this.fds.has(fd);
  }

  read(fd: number, max: number): Uint8Array | null {
    const h = this.fds.get(fd);
    if (h === undefined) return null;
    const buf = Buffer.alloc(Math.max(0, Math.min(max, 1 << 24)));
    try {
      const n = readSync(h, buf, 0, buf.length, null);
      return buf.subarray(0, n);
    } catch {
      return null;
    }
  }

  write(fd: number, data: Uint8Array): number {
    const h = this.fds.get(fd);
    if (h === undefined) return -1;
    try {
      return writeSync(h, data);
    } catch {
      return -1;
    }
  }

  close(fd: number): number {
    const h = this.fds.get(fd);
    if (h === undefined) return -1;
    this.fds.delete(fd);
    try {
      closeSync(h);
      return 0;
    } catch {
      return -1;
    }
  }

  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }
}
