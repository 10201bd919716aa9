import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';

/** What the manifest records about one file of a backup. */
export interface FileEntry {
  /** Relative to the backup folder, with forward slashes. */
  path: string;
  bytes: number;
  /** SHA-256 of the file as stored (compressed). */
  sha256: string;
  /** Lines (records) in a JSONL archive; absent for opaque files (pg_dump). */
  records?: number;
}

/**
 * Writes records as gzip-compressed JSON lines, streaming: memory stays flat whatever the
 * size. Hashes the compressed bytes as they are written, so the checksum costs no second pass.
 */
export class JsonlArchiveWriter {
  private readonly gzip: Gzip;
  private readonly out: WriteStream;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private lines = 0;
  private readonly finished: Promise<void>;

  private constructor(
    private readonly absPath: string,
    private readonly relPath: string,
  ) {
    this.gzip = createGzip({ level: 6 });
    this.out = createWriteStream(absPath, { mode: 0o600 });
    const counter = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        cb(null, chunk);
      },
    });
    this.finished = new Promise((resolve, reject) => {
      this.gzip.on('error', reject);
      counter.on('error', reject);
      this.out.on('error', reject);
      this.out.on('finish', resolve);
    });
    this.gzip.pipe(counter).pipe(this.out);
  }

  static async create(absPath: string, relPath: string): Promise<JsonlArchiveWriter> {
    await mkdir(dirname(absPath), { recursive: true, mode: 0o700 });
    return new JsonlArchiveWriter(absPath, relPath);
  }

  /** Writes one line (no newline inside); waits when the compressor is behind (backpressure). */
  async write(line: string): Promise<void> {
    this.lines += 1;
    if (!this.gzip.write(`${line}\n`)) await new Promise<void>((resolve) => this.gzip.once('drain', resolve));
  }

  async close(): Promise<FileEntry> {
    this.gzip.end();
    await this.finished;
    return { path: this.relPath, bytes: this.bytes, sha256: this.hash.digest('hex'), records: this.lines };
  }

  get path(): string {
    return this.absPath;
  }
}

/** Lines of a gzip JSONL archive, streamed; a truncated or corrupt archive throws. */
export async function* readJsonlArchive(absPath: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const source = createReadStream(absPath);
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // Iterating the stream itself (not readline) so a gunzip error reaches the caller.
  for await (const chunk of gunzip) {
    const parts = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) yield line;
  }
  rest += decoder.end();
  // Every line we write ends with a newline: anything left over means a cut-off archive.
  if (rest.length > 0) throw new Error(`${absPath}: archive ends in the middle of a record`);
}

/** SHA-256 and size of a file, streamed. */
export async function hashFile(absPath: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(absPath)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function fileSize(absPath: string): Promise<number> {
  return (await stat(absPath)).size;
}
