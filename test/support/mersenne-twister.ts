// MT19937 (Matsumoto & Nishimura 1998) with the seedings and derived draws of CPython's `random`
// and NumPy's legacy `RandomState`, so tests can regenerate the exact streams behind published
// doctests and scipy test vectors instead of storing them.

export class MersenneTwister {
  private readonly state = new Uint32Array(624);
  private index = 625;

  /** init_genrand: NumPy `RandomState(seed)` for an integer seed. */
  static fromSeed(seed: number): MersenneTwister {
    const mt = new MersenneTwister();
    mt.initGenrand(seed >>> 0);
    return mt;
  }

  /** init_by_array: CPython `random.Random(seed)` for a non-negative integer seed < 2**32. */
  static fromKey(key: readonly number[]): MersenneTwister {
    const mt = new MersenneTwister();
    mt.initGenrand(19650218);
    const s = mt.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = s[i - 1]! ^ (s[i - 1]! >>> 30);
      s[i] = ((s[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        s[0] = s[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = s[i - 1]! ^ (s[i - 1]! >>> 30);
      s[i] = ((s[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        s[0] = s[623]!;
        i = 1;
      }
    }
    s[0] = 0x80000000;
    return mt;
  }

  private initGenrand(seed: number): void {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = s[i - 1]! ^ (s[i - 1]! >>> 30);
      s[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
  }

  nextUint32(): number {
    const s = this.state;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (s[k]! & 0x80000000) | (s[(k + 1) % 624]! & 0x7fffffff);
        s[k] = s[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = s[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** genrand_res53: CPython `random()` and NumPy's legacy double. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** CPython `random.Random(seed).choices(population, k=k)` (no weights). */
export function pythonChoices<T>(mt: MersenneTwister, population: readonly T[], k: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(population[Math.floor(mt.nextDouble() * population.length)]!);
  return out;
}

/** NumPy legacy `RandomState.normal(size=count)` (polar Box–Muller with a cached second value). */
export class LegacyGauss {
  private cached: number | undefined;
  constructor(private readonly mt: MersenneTwister) {}

  next(): number {
    if (this.cached !== undefined) {
      const value = this.cached;
      this.cached = undefined;
      return value;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.mt.nextDouble() - 1;
      x2 = 2 * this.mt.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cached = f * x1;
    return f * x2;
  }

  fill(count: number): number[] {
    return Array.from({ length: count }, () => this.next());
  }
}
