import { createHash } from 'node:crypto';

/** SHA-256 of the joined parts, as 32 bytes. Stable across platforms and Node versions. */
function digest(parts: ReadonlyArray<string | number>): Buffer {
  return createHash('sha256').update(parts.map(String).join('\u001f')).digest();
}

/** A uniform number in [0, 1) derived only from `parts` (48 bits of SHA-256). */
export function hashUnit(...parts: ReadonlyArray<string | number>): number {
  return digest(parts).readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Small deterministic PRNG (sfc32) seeded from a SHA-256 of the given parts.
 * Every random choice of the simulator comes from one of these, so a seed reproduces it.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...parts: ReadonlyArray<string | number>) {
    const h = digest(parts);
    this.a = h.readUInt32BE(0);
    this.b = h.readUInt32BE(4);
    this.c = h.readUInt32BE(8);
    this.d = h.readUInt32BE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick on an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Fisher–Yates copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
