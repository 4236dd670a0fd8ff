// A PersistedStore kept in one file, so that persisted properties survive process restarts.
//
// Reading: the constructor reads the whole file synchronously; `restore` answers from memory.
//
// Writing: `save` updates memory and schedules a write of the whole file. Saves made before the
// scheduled write starts (everything in the same turn of the event loop, and everything saved
// while a previous write is in flight) share one write; writes never overlap and each writes
// the latest content. A write goes to `<path>.tmp-<pid>-<n>`, which is fsynced and then renamed
// over `<path>` (atomic on POSIX and on NTFS), and then the directory is fsynced where the
// platform allows it. So after a crash at any point the file holds either the old or the new
// content, never a mix; a stray `.tmp-` file may remain and is removed by the next instance.
//
// File layout (format version 1), all integers big-endian:
//
//   offset  0  8 bytes  magic "\x89TSROPS\n" (a high byte and a newline, as in PNG, to catch
//                       7-bit or newline-converting copies)
//   offset  8  uint32   format version (1)
//   offset 12  uint32   body length in bytes (the file is exactly 20 + body length long)
//   offset 16  uint32   CRC-32 (IEEE, as zlib) of the body
//   offset 20  body     protobuf `message PersistedFile { repeated PersistedEntry entries = 1; }`
//                       (PersistedEntry: see persisted-store.ts; values are tsro.v1.Value)
//
// A file that is not valid (foreign magic, another format version, truncated, checksum
// mismatch, undecodable body) is not fatal: the store starts empty, `loadError` says why, and
// the bytes are first copied to `<path>.corrupt` so that nothing is lost when the next save
// replaces the file. Until that save the original file is left untouched.
//
// Errors: a file that exists but cannot be read, a missing directory, or a failed `.corrupt`
// copy throw PersistenceError from the constructor; a failed write (EACCES, ENOSPC...) rejects
// the pending saves and flush() with PersistenceError (code PERSISTENCE_FAILED, the Node error
// as `cause`) and leaves the previous file intact; the next save or flush() tries again.
//
// One file belongs to one store instance. Two instances (or processes) writing the same file
// do not corrupt it (every write is a whole, atomic file) but each overwrites the other's
// entries.

import '../util/node/node-platform'; // Node.js-only code: Buffers persist as Buffers
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as zlib from 'node:zlib';
import * as protobuf from 'protobufjs';
import { PersistenceError } from '../errors';
import {
  PersistedEntries,
  decodePersistedEntry,
  encodePersistedEntry,
  type PersistedStore,
} from './persisted-store';

/** Magic bytes opening every store file. */
export const FILE_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x54, 0x53, 0x52, 0x4f, 0x50, 0x53, 0x0a);
/** The file format version this code writes and reads. */
export const FILE_FORMAT_VERSION = 1;
const HEADER_SIZE = 20;

/** Tmp file names are unique per process (several stores may share a directory). */
let tmpCounter = 0;

interface Waiter {
  gen: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const noop = (): void => {};

export class FilePersistedStore implements PersistedStore {
  /** Absolute path of the file. */
  readonly path: string;
  /**
   * Why the file's content was ignored at construction (it was not a valid store file: foreign,
   * from another format version, truncated or corrupt), or undefined if it was read or absent.
   * A copy of the ignored bytes is at `path + '.corrupt'`.
   */
  readonly loadError: PersistenceError | undefined;

  readonly #entries = new PersistedEntries();
  /** Permission bits of the file we found, given to the files we write (undefined: default). */
  readonly #fileMode: number | undefined;
  /** Bumped by every save that changes the content. */
  #gen = 0;
  /** The newest gen known to be on disk. */
  #writtenGen = 0;
  #waiters: Waiter[] = [];
  #running = false;
  #scheduled = false;
  #closing: Promise<void> | undefined;
  #writes = 0;
  #dirSyncWorks = process.platform !== 'win32';

  /**
   * Reads `path` if it exists (synchronously) and removes `.tmp-` files left next to it by dead
   * processes. The directory must exist.
   * @throws PersistenceError if the file exists but cannot be read, the directory does not
   * exist, or an invalid file cannot be set aside as `path + '.corrupt'`
   */
  constructor(path: string) {
    if (typeof path !== 'string' || path === '') throw new PersistenceError('FilePersistedStore needs a file path');
    this.path = nodePath.resolve(path);
    let data: Buffer | undefined;
    try {
      data = fs.readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new PersistenceError(`cannot read persisted store ${this.path}: ${(err as Error).message}`, err);
      }
      const dir = nodePath.dirname(this.path);
      let isDir = false;
      try {
        isDir = fs.statSync(dir).isDirectory();
      } catch {
        // reported below
      }
      if (!isDir) throw new PersistenceError(`cannot keep a persisted store at ${this.path}: directory ${dir} does not exist`, err);
    }
    if (data !== undefined) {
      try {
        this.#fileMode = fs.statSync(this.path).mode & 0o777;
      } catch {
        this.#fileMode = undefined;
      }
      const problem = this.#load(data);
      if (problem !== undefined) {
        this.#entries.clear();
        const corruptPath = this.path + '.corrupt';
        try {
          fs.writeFileSync(corruptPath, data);
        } catch (err) {
          throw new PersistenceError(
            `persisted store ${this.path} is not readable (${problem}) and could not be set aside as ${corruptPath}: ${(err as Error).message}`,
            err,
          );
        }
        this.loadError = new PersistenceError(`ignored persisted store ${this.path} (${problem}); its bytes were copied to ${corruptPath}`);
      }
    }
    this.#removeStrayTmpFiles();
  }

  /** The values last saved for exactly this name and signature (fresh objects), or undefined. */
  restore(sourceName: string, signature: string): unknown[] | undefined {
    const bytes = this.#entries.get(sourceName, signature);
    return bytes === undefined ? undefined : decodePersistedEntry(bytes).values;
  }

  /**
   * Stores the values (snapshotted now) and schedules a write. Resolves once they are on disk;
   * rejects with PersistenceError if that write fails, UsageError NOT_SERIALIZABLE if a value
   * cannot be carried, PersistenceError CLOSED after close(). Never throws. The returned
   * promise may be ignored: its rejection is never reported as unhandled (flush() reports
   * write failures too).
   */
  save(sourceName: string, signature: string, values: readonly unknown[]): Promise<void> {
    try {
      if (this.#closing !== undefined) throw new PersistenceError(`persisted store ${this.path} is closed`, undefined, 'CLOSED');
      const entry = encodePersistedEntry(sourceName, signature, values);
      const previous = this.#entries.get(sourceName, signature);
      if (previous === undefined || !Buffer.from(previous.buffer, previous.byteOffset, previous.byteLength).equals(entry)) {
        this.#entries.set(sourceName, signature, entry);
        this.#gen++;
      }
      return this.#waitFor(this.#gen);
    } catch (err) {
      const p = Promise.reject(err);
      p.catch(noop);
      return p;
    }
  }

  /**
   * Resolves when everything saved so far is on disk. Rejects with PersistenceError if the write
   * carrying it failed; if an earlier write failed and nothing has been written since, tries
   * again first.
   */
  flush(): Promise<void> {
    return this.#waitFor(this.#gen);
  }

  /**
   * flush(), after which the store accepts no more saves (restore still answers). Idempotent:
   * later calls return the same promise.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) this.#closing = this.flush();
    return this.#closing;
  }

  /** How many times the file has been written by this instance (diagnostics and tests). */
  get writeCount(): number {
    return this.#writes;
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** Fills `entries` from the file's bytes; returns why they are not a valid file, if they are not. */
  #load(data: Buffer): string | undefined {
    if (data.length < HEADER_SIZE) {
      const n = Math.min(data.length, FILE_MAGIC.length);
      return data.subarray(0, n).equals(Buffer.from(FILE_MAGIC).subarray(0, n))
        ? `truncated: ${data.length} bytes, shorter than the header`
        : 'not a tsro persisted-store file';
    }
    if (!data.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) return 'not a tsro persisted-store file';
    const version = data.readUInt32BE(8);
    if (version !== FILE_FORMAT_VERSION) {
      return version > FILE_FORMAT_VERSION
        ? `format version ${version}, newer than this tsro reads (${FILE_FORMAT_VERSION})`
        : `unknown format version ${version}`;
    }
    const bodyLength = data.readUInt32BE(12);
    if (data.length - HEADER_SIZE < bodyLength) return `truncated: ${data.length - HEADER_SIZE} of ${bodyLength} body bytes`;
    if (data.length - HEADER_SIZE > bodyLength) return `${data.length - HEADER_SIZE - bodyLength} unexpected bytes after the body`;
    const body = data.subarray(HEADER_SIZE);
    if (crc32(body) !== data.readUInt32BE(16)) return 'checksum mismatch';
    try {
      const r = protobuf.Reader.create(body);
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag === 0x0a) {
          const entry = r.bytes();
          const { sourceName, signature } = decodePersistedEntry(entry); // also checks the values decode
          this.#entries.set(sourceName, signature, entry);
        } else {
          if (tag >>> 3 === 0) throw new Error(`invalid tag ${tag}`);
          r.skipType(tag & 7);
        }
      }
    } catch (err) {
      return `undecodable body: ${(err as Error).message}`;
    }
    return undefined;
  }

  /** Removes `<file>.tmp-<pid>-<n>` files whose writing process is gone (a crash mid-write). */
  #removeStrayTmpFiles(): void {
    const dir = nodePath.dirname(this.path);
    const prefix = nodePath.basename(this.path) + '.tmp-';
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const m = /^(\d+)-\d+$/.exec(name.slice(prefix.length));
      if (m === null) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || processAlive(pid)) continue;
      try {
        fs.unlinkSync(nodePath.join(dir, name));
      } catch {
        // gone already, or not ours to remove
      }
    }
  }

  // ---- writing ----------------------------------------------------------------------------------

  /** A promise settled by the first write attempt that covers `gen`; schedules one if needed. */
  #waitFor(gen: number): Promise<void> {
    if (this.#writtenGen >= gen) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ gen, resolve, reject }));
    p.catch(noop);
    this.#schedule();
    return p;
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#run();
    });
  }

  /** Writes until the file holds the latest content; one write at a time. */
  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#writtenGen < this.#gen) {
        const gen = this.#gen;
        try {
          await this.#writeAtomic(this.#serialize());
          this.#writes++;
          this.#writtenGen = gen;
          this.#settle(gen, undefined);
        } catch (err) {
          this.#settle(gen, err);
          // Try again only for saves made during the failed write; otherwise wait for the next
          // save or flush() rather than retrying in a loop.
          if (this.#gen === gen) break;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #settle(gen: number, err: unknown): void {
    const done = this.#waiters.filter((w) => w.gen <= gen);
    if (done.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.gen > gen);
    for (const w of done) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }

  /** The whole file for the current entries. */
  #serialize(): Buffer {
    const w = protobuf.Writer.create();
    for (const entry of this.#entries.values()) w.uint32(0x0a).bytes(entry);
    const body = w.finish();
    const out = Buffer.allocUnsafe(HEADER_SIZE + body.length);
    out.set(FILE_MAGIC, 0);
    out.writeUInt32BE(FILE_FORMAT_VERSION, 8);
    out.writeUInt32BE(body.length, 12);
    out.writeUInt32BE(crc32(body), 16);
    out.set(body, HEADER_SIZE);
    return out;
  }

  async #writeAtomic(data: Uint8Array): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}-${++tmpCounter}`;
    let fh: fs.promises.FileHandle | undefined;
    let renamed = false;
    try {
      fh = await fs.promises.open(tmp, 'w');
      if (this.#fileMode !== undefined) await fh.chmod(this.#fileMode).catch(noop);
      await fh.writeFile(data);
      await fh.sync();
      const h = fh;
      fh = undefined;
      await h.close();
      await fs.promises.rename(tmp, this.path);
      renamed = true;
    } catch (err) {
      if (fh !== undefined) await fh.close().catch(noop);
      if (!renamed) await fs.promises.unlink(tmp).catch(noop);
      throw new PersistenceError(`could not write persisted store ${this.path}: ${(err as Error).message}`, err);
    }
    await this.#syncDirectory();
  }

  /** Makes the rename durable where directories can be fsynced (not on Windows); best effort. */
  async #syncDirectory(): Promise<void> {
    if (!this.#dirSyncWorks) return;
    let dh: fs.promises.FileHandle | undefined;
    try {
      dh = await fs.promises.open(nodePath.dirname(this.path), 'r');
      await dh.sync();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EBADF') this.#dirSyncWorks = false;
    } finally {
      await dh?.close().catch(noop);
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// ---- CRC-32 -------------------------------------------------------------------------------------

let crcTable: Int32Array | undefined;

function crc32Js(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** CRC-32 as zlib computes it: native where Node has it (20.15+), else in JavaScript. */
const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data)
    : crc32Js;

/** @internal For tests: the JavaScript CRC-32, to check it against zlib's. */
export const crc32ForTests = crc32Js;
