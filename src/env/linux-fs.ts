// The guest's file descriptors and its sandboxed view of the host file system.
//
// The guest sees one host directory (--fs-root) as its whole file system: "/" is that
// directory, ".." stops there, and a path whose real host location (after following
// symlinks) is outside it is refused with EACCES. Without --fs-root the guest sees an empty,
// read-only file system. Writes need --fs-write (otherwise EROFS). /dev/null, /dev/zero,
// /dev/urandom, /dev/random and /dev/std{in,out,err} always exist; readlink("/proc/self/exe")
// names the program.
import {
  chmodSync, closeSync, constants as C, fchmodSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync,
  readSync, realpathSync, renameSync, rmdirSync, statSync, truncateSync, unlinkSync, writeSync, type BigIntStats,
} from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, sep } from 'node:path';
import type { GuestIO } from './io.js';
import { E, hostErrno, O, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from './linux-abi.js';
import { GUEST_GID, GUEST_UID } from './linux-start.js';

export interface StatInfo {
  dev: number;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  birthtimeNs: bigint;
}

type Kind = 'stdin' | 'stdout' | 'stderr' | 'file' | 'dir' | 'null' | 'zero' | 'random';

interface DirEntry {
  name: string;
  ino: bigint;
  type: number; // DT_*
}

/** An open file description (shared by dup'ed descriptors, like the kernel's struct file). */
class OpenFile {
  refs = 1;
  pos = 0;
  entries: DirEntry[] | null = null;
  constructor(
    readonly kind: Kind,
    public flags: number,
    readonly hostFd: number = -1,
    /** Host path (real) for files and directories. */
    readonly hostPath: string = '',
    /** Guest absolute path, for directories (fchdir, *at with a dirfd). */
    readonly guestPath: string = '',
  ) {}
  get readable(): boolean {
    return (this.flags & O.ACCMODE) !== O.WRONLY && !(this.flags & O.PATH);
  }
  get writable(): boolean {
    return (this.flags & O.ACCMODE) !== O.RDONLY && !(this.flags & O.PATH);
  }
}

interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

export interface FilesOptions {
  io: GuestIO;
  root: string | null;
  writable: boolean;
  /** Which of fds 0, 1, 2 are terminals (stat as character devices, TCGETS succeeds). */
  ttys?: [boolean, boolean, boolean];
  /** The program's path, for readlink("/proc/self/exe"). */
  exePath: string;
  randomBytes: (n: number) => Uint8Array;
  /** Called once, the first time a path is refused because no --fs-root was given. */
  onNoRoot?: (path: string) => void;
}

export const MAX_FDS = 1024;
const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 };
const DEVICES: Record<string, Kind> = { '/dev/null': 'null', '/dev/zero': 'zero', '/dev/urandom': 'random', '/dev/random': 'random' };
const STD_LINKS: Record<string, number> = { '/dev/stdin': 0, '/dev/stdout': 1, '/dev/stderr': 2, '/dev/fd/0': 0, '/dev/fd/1': 1, '/dev/fd/2': 2 };

/** Result of a path lookup: a host path inside the root, or a negative errno. */
type Lookup = { host: string; exists: boolean } | number;

export class LinuxFiles {
  private fds: (FdEntry | undefined)[] = [];
  private readonly realRoot: string | null;
  /** Guest absolute path of the working directory. */
  cwd = '/';
  umask = 0o022;
  private warnedNoRoot = false;
  readonly ttys: [boolean, boolean, boolean];

  constructor(private readonly o: FilesOptions) {
    this.realRoot = o.root ? realpathSync(o.root) : null;
    this.ttys = o.ttys ?? [false, false, false];
    this.fds[0] = { file: new OpenFile('stdin', O.RDONLY), cloexec: false };
    this.fds[1] = { file: new OpenFile('stdout', O.WRONLY), cloexec: false };
    this.fds[2] = { file: new OpenFile('stderr', O.WRONLY), cloexec: false };
  }

  get writableFs(): boolean {
    return this.realRoot !== null && this.o.writable;
  }

  // ---- paths ----

  /** The guest absolute path for `path` relative to `dirfd` (AT_FDCWD = -100), or -errno. */
  guestPath(dirfd: number, path: string): string | number {
    if (path.length === 0) return -E.NOENT;
    let base = this.cwd;
    if (!path.startsWith('/') && dirfd !== -100) {
      const f = this.fds[dirfd]?.file;
      if (!f) return -E.BADF;
      if (f.kind !== 'dir') return -E.NOTDIR;
      base = f.guestPath;
    }
    const parts: string[] = [];
    for (const p of ((path.startsWith('/') ? '' : base + '/') + path).split('/')) {
      if (p === '' || p === '.') continue;
      if (p === '..') parts.pop();
      else parts.push(p);
    }
    return '/' + parts.join('/');
  }

  private inside(real: string): boolean {
    const rel = relative(this.realRoot!, real);
    return !(rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel));
  }

  private noRoot(path: string): number {
    // the C library probes system files (/etc/localtime, locales, /proc/...) on its own: no note for those
    if (!this.warnedNoRoot && !/^\/(etc|usr|lib|proc|sys|dev|var|run)(\/|$)/.test(path)) {
      this.warnedNoRoot = true;
      this.o.onNoRoot?.(path);
    }
    return -E.NOENT;
  }

  /**
   * Host location of a guest absolute path. With `follow`, a final symlink is resolved (and
   * must stay inside the root); without, the final component is left as is. Intermediate
   * directories are always resolved and checked.
   */
  private lookup(gpath: string, follow: boolean): Lookup {
    if (!this.realRoot) return gpath === '/' ? { host: '', exists: true } : this.noRoot(gpath);
    if (gpath === '/') return { host: this.realRoot, exists: true };
    const host = join(this.realRoot, gpath);
    let parentReal: string;
    try {
      parentReal = realpathSync(dirname(host));
    } catch (e) {
      return -hostErrno(e);
    }
    if (!this.inside(parentReal)) return -E.ACCES;
    const direct = join(parentReal, basename(host));
    let isLink = false;
    try {
      isLink = lstatSync(direct).isSymbolicLink();
    } catch {
      return { host: direct, exists: false };
    }
    if (!follow || !isLink) return { host: direct, exists: true };
    let real: string;
    try {
      real = realpathSync(direct);
    } catch (e) {
      // a dangling or looping link: creating through it could land anywhere, so refuse
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ELOOP' ? -E.LOOP : -E.ACCES;
    }
    if (!this.inside(real)) return -E.ACCES;
    return { host: real, exists: true };
  }

  // ---- descriptors ----

  private allocFd(min = 0): number {
    for (let fd = min; fd < MAX_FDS; fd++) if (!this.fds[fd]) return fd;
    return -E.MFILE;
  }

  private install(file: OpenFile, cloexec: boolean, min = 0): number {
    const fd = this.allocFd(min);
    if (fd < 0) return fd;
    this.fds[fd] = { file, cloexec };
    return fd;
  }

  get(fd: number): OpenFile | undefined {
    return fd >= 0 && fd < MAX_FDS ? this.fds[fd]?.file : undefined;
  }

  isOpen(fd: number): boolean {
    return this.get(fd) !== undefined;
  }

  openat(dirfd: number, path: string, flags: number, mode: number): number {
    const g = this.guestPath(dirfd, path);
    if (typeof g === 'number') return g;
    if (g in DEVICES) return this.install(new OpenFile(DEVICES[g], flags), !!(flags & O.CLOEXEC));
    if (g in STD_LINKS) return this.dup(STD_LINKS[g]);
    const acc = flags & O.ACCMODE;
    if (acc === 3) return -E.INVAL;
    const look = this.lookup(g, !(flags & O.NOFOLLOW));
    if (typeof look === 'number') {
      if (look === -E.NOENT && flags & O.CREAT && !this.realRoot) return -E.ROFS;
      return look;
    }
    if (!this.realRoot) {
      // the empty root directory
      if (acc !== O.RDONLY) return -E.ISDIR;
      const f = new OpenFile('dir', flags, -1, '', '/');
      f.entries = [{ name: '.', ino: 1n, type: DT.DIR }, { name: '..', ino: 1n, type: DT.DIR }];
      return this.install(f, !!(flags & O.CLOEXEC));
    }
    let st: BigIntStats | null = null;
    if (look.exists) {
      try {
        st = lstatSync(look.host, { bigint: true });
      } catch (e) {
        return -hostErrno(e);
      }
      if (st.isSymbolicLink()) return flags & O.PATH ? this.install(new OpenFile('file', flags, -1, look.host, g), !!(flags & O.CLOEXEC)) : -E.LOOP;
      if (flags & O.CREAT && flags & O.EXCL) return -E.EXIST;
    } else if (!(flags & O.CREAT)) return -E.NOENT;
    if (flags & O.DIRECTORY && st && !st.isDirectory()) return -E.NOTDIR;
    if (st?.isDirectory()) {
      if (acc !== O.RDONLY || flags & O.CREAT) return -E.ISDIR;
      const f = new OpenFile('dir', flags, -1, look.host, g);
      return this.install(f, !!(flags & O.CLOEXEC));
    }
    const wantsWrite = acc !== O.RDONLY || (flags & O.TRUNC) !== 0 || !st;
    if (wantsWrite && !this.o.writable) return -E.ROFS;
    if (flags & O.PATH) return this.install(new OpenFile('file', flags, -1, look.host, g), !!(flags & O.CLOEXEC));
    let hf = [C.O_RDONLY, C.O_WRONLY, C.O_RDWR][acc] | C.O_NOFOLLOW;
    if (flags & O.CREAT) hf |= C.O_CREAT;
    if (flags & O.EXCL) hf |= C.O_EXCL;
    if (flags & O.TRUNC) hf |= C.O_TRUNC;
    if (flags & O.APPEND) hf |= C.O_APPEND;
    let hostFd: number;
    try {
      hostFd = openSync(look.host, hf, mode & ~this.umask & 0o7777);
    } catch (e) {
      return -hostErrno(e);
    }
    const fd = this.install(new OpenFile('file', flags, hostFd, look.host, g), !!(flags & O.CLOEXEC));
    if (fd < 0) closeSync(hostFd);
    return fd;
  }

  close(fd: number): number {
    const ent = fd >= 0 && fd < MAX_FDS ? this.fds[fd] : undefined;
    if (!ent) return -E.BADF;
    this.fds[fd] = undefined;
    this.release(ent.file);
    return 0;
  }

  private release(f: OpenFile): void {
    if (--f.refs === 0 && f.hostFd >= 0) {
      try {
        closeSync(f.hostFd);
      } catch {
        /* already gone */
      }
    }
  }

  closeAll(): void {
    for (let fd = 0; fd < this.fds.length; fd++) if (this.fds[fd]) this.close(fd);
  }

  dup(fd: number, min = 0, cloexec = false): number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    const nfd = this.install(f, cloexec, min);
    if (nfd >= 0) f.refs++;
    return nfd;
  }

  dup3(oldfd: number, newfd: number, flags: number): number {
    const f = this.get(oldfd);
    if (!f) return -E.BADF;
    if (newfd < 0 || newfd >= MAX_FDS) return -E.BADF;
    if (oldfd === newfd) return flags === -1 ? newfd : -E.INVAL; // dup2 passes -1
    if (this.fds[newfd]) this.close(newfd);
    f.refs++;
    this.fds[newfd] = { file: f, cloexec: flags !== -1 && (flags & O.CLOEXEC) !== 0 };
    return newfd;
  }

  getCloexec(fd: number): boolean {
    return !!this.fds[fd]?.cloexec;
  }
  setCloexec(fd: number, on: boolean): void {
    const e = this.fds[fd];
    if (e) e.cloexec = on;
  }

  // ---- data ----

  read(fd: number, max: number, offset: number | null = null): Uint8Array | number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (!f.readable) return -E.BADF;
    max = Math.max(0, Math.min(max, 1 << 24));
    switch (f.kind) {
      case 'stdin':
        if (offset !== null) return -E.SPIPE;
        return this.o.io.read(max);
      case 'stdout': case 'stderr': return -E.BADF;
      case 'null': return new Uint8Array(0);
      case 'zero': return new Uint8Array(max);
      case 'random': return this.o.randomBytes(max);
      case 'dir': return -E.ISDIR;
      case 'file': {
        if (f.hostFd < 0) return -E.BADF;
        const buf = Buffer.alloc(max);
        try {
          const n = readSync(f.hostFd, buf, 0, max, offset ?? f.pos);
          if (offset === null) f.pos += n;
          return buf.subarray(0, n);
        } catch (e) {
          return -hostErrno(e);
        }
      }
    }
  }

  write(fd: number, data: Uint8Array, offset: number | null = null): number {
    const f = this.get(fd);
    if (!f || !f.writable) return -E.BADF;
    switch (f.kind) {
      case 'stdout': case 'stderr':
        if (offset !== null) return -E.SPIPE;
        this.o.io.write(f.kind === 'stdout' ? 1 : 2, data);
        if (this.ttys[f.kind === 'stdout' ? 1 : 2]) this.o.io.flush(); // a terminal shows each write at once
        return data.length;
      case 'null': case 'zero': case 'random': return data.length;
      case 'stdin': case 'dir': return -E.BADF;
      case 'file': {
        if (f.hostFd < 0) return -E.BADF;
        try {
          if (offset === null && f.flags & O.APPEND) {
            const n = writeSync(f.hostFd, data, 0, data.length, null);
            f.pos = Number(fstatSync(f.hostFd).size);
            return n;
          }
          const n = writeSync(f.hostFd, data, 0, data.length, offset ?? f.pos);
          if (offset === null) f.pos += n;
          return n;
        } catch (e) {
          return -hostErrno(e);
        }
      }
    }
  }

  /** lseek(2); returns the new offset or -errno. */
  seek(fd: number, offset: number, whence: number): number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind === 'stdin' || f.kind === 'stdout' || f.kind === 'stderr') return -E.SPIPE;
    if (f.kind === 'null' || f.kind === 'zero' || f.kind === 'random') return 0;
    let base: number;
    switch (whence) {
      case 0: base = 0; break;
      case 1: base = f.pos; break;
      case 2:
        if (f.kind === 'dir') return -E.INVAL;
        try {
          base = f.hostFd >= 0 ? fstatSync(f.hostFd).size : 0;
        } catch (e) {
          return -hostErrno(e);
        }
        break;
      default: return -E.INVAL;
    }
    const pos = base + offset;
    if (pos < 0) return -E.INVAL;
    f.pos = pos;
    return pos;
  }

  truncate(fd: number, len: number): number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind !== 'file' || f.hostFd < 0 || !f.writable) return -E.INVAL;
    if (len < 0) return -E.INVAL;
    try {
      ftruncateSync(f.hostFd, len);
      return 0;
    } catch (e) {
      return -hostErrno(e);
    }
  }

  truncatePath(path: string, len: number): number {
    const g = this.guestPath(-100, path);
    if (typeof g === 'number') return g;
    const look = this.lookup(g, true);
    if (typeof look === 'number') return look;
    if (!look.exists) return -E.NOENT;
    if (!this.o.writable || !this.realRoot) return -E.ROFS;
    try {
      truncateSync(look.host, len);
      return 0;
    } catch (e) {
      return -hostErrno(e);
    }
  }

  /** Directory entries for getdents64, starting at the description's position. */
  dirEntries(fd: number): { file: OpenFile; entries: DirEntry[] } | number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind !== 'dir') return -E.NOTDIR;
    if (!f.entries) {
      const list: DirEntry[] = [];
      try {
        const self = statSync(f.hostPath, { bigint: true });
        list.push({ name: '.', ino: self.ino, type: DT.DIR }, { name: '..', ino: self.ino, type: DT.DIR });
        for (const d of readdirSync(f.hostPath, { withFileTypes: true })) {
          let ino = 0n;
          try {
            ino = lstatSync(join(f.hostPath, d.name), { bigint: true }).ino;
          } catch {
            /* raced away */
          }
          const type = d.isDirectory() ? DT.DIR : d.isFile() ? DT.REG : d.isSymbolicLink() ? DT.LNK : d.isFIFO() ? DT.FIFO
            : d.isCharacterDevice() ? DT.CHR : d.isBlockDevice() ? DT.BLK : d.isSocket() ? DT.SOCK : DT.UNKNOWN;
          list.push({ name: d.name, ino, type });
        }
      } catch (e) {
        return -hostErrno(e);
      }
      // Sorted for determinism (host readdir order depends on the file system).
      f.entries = [...list.slice(0, 2), ...list.slice(2).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
    }
    return { file: f, entries: f.entries };
  }

  // ---- metadata ----

  private stdStat(kind: Kind, fd: number): StatInfo {
    const tty = kind === 'stdin' ? this.ttys[0] : kind === 'stdout' ? this.ttys[1] : kind === 'stderr' ? this.ttys[2] : false;
    const mode = kind === 'null' || kind === 'zero' || kind === 'random' || tty ? S_IFCHR | 0o666 : S_IFIFO | 0o600;
    const rdev = kind === 'null' ? 0x103 : kind === 'zero' ? 0x105 : kind === 'random' ? 0x109 : tty ? 0x8800 : 0;
    return {
      dev: tty || kind !== 'stdin' && kind !== 'stdout' && kind !== 'stderr' ? 5 : 12, ino: BigInt(fd + 1), mode: tty ? S_IFCHR | 0o620 : mode,
      nlink: 1, uid: GUEST_UID, gid: GUEST_GID, rdev, size: 0, blksize: tty ? 1024 : 4096, blocks: 0,
      atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n, birthtimeNs: 0n,
    };
  }

  private static fromHost(s: BigIntStats): StatInfo {
    return {
      dev: Number(s.dev & 0xffffffffn), ino: s.ino, mode: Number(s.mode), nlink: Number(s.nlink), uid: Number(s.uid), gid: Number(s.gid),
      rdev: Number(s.rdev & 0xffffffffn), size: Number(s.size), blksize: Number(s.blksize), blocks: Number(s.blocks),
      atimeNs: s.atimeNs, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, birthtimeNs: s.birthtimeNs,
    };
  }

  private static emptyRoot(): StatInfo {
    return {
      dev: 1, ino: 1n, mode: S_IFDIR | 0o555, nlink: 2, uid: 0, gid: 0, rdev: 0, size: 0, blksize: 4096, blocks: 0,
      atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n, birthtimeNs: 0n,
    };
  }

  fstat(fd: number): StatInfo | number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind !== 'file' && f.kind !== 'dir') return this.stdStat(f.kind, fd);
    if (f.kind === 'dir' && !f.hostPath) return LinuxFiles.emptyRoot();
    try {
      return LinuxFiles.fromHost(f.hostFd >= 0 ? fstatSync(f.hostFd, { bigint: true }) : lstatSync(f.hostPath, { bigint: true }));
    } catch (e) {
      return -hostErrno(e);
    }
  }

  stat(dirfd: number, path: string, follow: boolean): StatInfo | number {
    const g = this.guestPath(dirfd, path);
    if (typeof g === 'number') return g;
    if (g in DEVICES) return this.stdStat(DEVICES[g], 99);
    if (g in STD_LINKS) return follow ? this.fstat(STD_LINKS[g]) : { ...this.stdStat('null', 99), mode: S_IFLNK | 0o777 };
    const look = this.lookup(g, follow);
    if (typeof look === 'number') return look;
    if (!this.realRoot) return LinuxFiles.emptyRoot();
    if (!look.exists) return -E.NOENT;
    try {
      return LinuxFiles.fromHost(lstatSync(look.host, { bigint: true }));
    } catch (e) {
      return -hostErrno(e);
    }
  }

  access(dirfd: number, path: string, mode: number): number {
    const st = this.stat(dirfd, path, true);
    if (typeof st === 'number') return st;
    if (mode & 2 && !this.o.writable && (st.mode & S_IFMT) !== S_IFCHR) return -E.ROFS;
    if (mode & 1 && (st.mode & 0o111) === 0 && (st.mode & S_IFMT) !== S_IFDIR) return -E.ACCES;
    return 0;
  }

  readlink(dirfd: number, path: string): Uint8Array | number {
    const g = this.guestPath(dirfd, path);
    if (typeof g === 'number') return g;
    if (g === '/proc/self/exe') return new TextEncoder().encode(this.o.exePath);
    if (g in STD_LINKS) return new TextEncoder().encode(['/dev/pts/0', '/dev/pts/0', '/dev/pts/0'][STD_LINKS[g]]);
    const look = this.lookup(g, false);
    if (typeof look === 'number') return look;
    if (!this.realRoot) return -E.INVAL;
    if (!look.exists) return -E.NOENT;
    try {
      if (!lstatSync(look.host).isSymbolicLink()) return -E.INVAL;
      return readlinkSync(look.host, { encoding: 'buffer' });
    } catch (e) {
      return -hostErrno(e);
    }
  }

  private mutate(dirfd: number, path: string, op: (host: string, exists: boolean) => void, needExists: boolean): number {
    const g = this.guestPath(dirfd, path);
    if (typeof g === 'number') return g;
    if (g in DEVICES || g in STD_LINKS) return -E.ACCES;
    const look = this.lookup(g, false);
    if (typeof look === 'number') return look === -E.NOENT && !this.realRoot ? -E.ROFS : look;
    if (!this.realRoot || !this.o.writable) return -E.ROFS;
    if (needExists && !look.exists) return -E.NOENT;
    if (look.host === this.realRoot) return -E.BUSY;
    try {
      op(look.host, look.exists);
      return 0;
    } catch (e) {
      return -hostErrno(e);
    }
  }

  unlink(dirfd: number, path: string, removeDir: boolean): number {
    return this.mutate(dirfd, path, (h) => {
      if (removeDir) rmdirSync(h);
      else {
        if (lstatSync(h).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        unlinkSync(h);
      }
    }, true);
  }

  mkdir(dirfd: number, path: string, mode: number): number {
    return this.mutate(dirfd, path, (h, exists) => {
      if (exists) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      mkdirSync(h, mode & ~this.umask & 0o7777);
    }, false);
  }

  rename(olddir: number, oldpath: string, newdir: number, newpath: string): number {
    const g = this.guestPath(newdir, newpath);
    if (typeof g === 'number') return g;
    const to = this.lookup(g, false);
    if (typeof to === 'number') return to;
    return this.mutate(olddir, oldpath, (h) => renameSync(h, to.host), true);
  }

  chmod(dirfd: number, path: string, mode: number): number {
    const g = this.guestPath(dirfd, path);
    if (typeof g === 'number') return g;
    const look = this.lookup(g, true);
    if (typeof look === 'number') return look;
    if (!look.exists && this.realRoot) return -E.NOENT;
    if (!this.realRoot || !this.o.writable) return -E.ROFS;
    try {
      chmodSync(look.host, mode & 0o7777);
      return 0;
    } catch (e) {
      return -hostErrno(e);
    }
  }

  fchmod(fd: number, mode: number): number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind !== 'file' && f.kind !== 'dir') return -E.PERM;
    if (!this.o.writable) return -E.ROFS;
    try {
      if (f.hostFd >= 0) fchmodSync(f.hostFd, mode & 0o7777);
      else chmodSync(f.hostPath, mode & 0o7777);
      return 0;
    } catch (e) {
      return -hostErrno(e);
    }
  }

  chdir(path: string): number {
    const g = this.guestPath(-100, path);
    if (typeof g === 'number') return g;
    const st = this.stat(-100, g, true);
    if (typeof st === 'number') return st;
    if ((st.mode & S_IFMT) !== S_IFDIR) return -E.NOTDIR;
    this.cwd = g;
    return 0;
  }

  fchdir(fd: number): number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind !== 'dir') return -E.NOTDIR;
    this.cwd = f.guestPath;
    return 0;
  }

  /** For mmap of a file: its whole contents (read-only snapshot). */
  contents(fd: number, offset: number, len: number): Uint8Array | number {
    const f = this.get(fd);
    if (!f) return -E.BADF;
    if (f.kind === 'zero') return new Uint8Array(0);
    if (f.kind !== 'file' || f.hostFd < 0) return -E.NODEV;
    if (!f.readable) return -E.ACCES;
    const buf = Buffer.alloc(len);
    try {
      const n = readSync(f.hostFd, buf, 0, len, offset);
      return buf.subarray(0, n);
    } catch (e) {
      return -hostErrno(e);
    }
  }

  isTty(fd: number): boolean {
    const f = this.get(fd);
    if (!f) return false;
    return (f.kind === 'stdin' && this.ttys[0]) || (f.kind === 'stdout' && this.ttys[1]) || (f.kind === 'stderr' && this.ttys[2]);
  }

  kindOf(fd: number): Kind | undefined {
    return this.get(fd)?.kind;
  }

  static readonly S_IFREG = S_IFREG;
}
