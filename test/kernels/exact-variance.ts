// Exact sample variance of binary64 values, for judging the rounding error of streaming kernels:
// every finite double is m·2^e with integer m, so Σx and Σx² are exact BigInts at a common
// exponent and M2 = (n·Σx² − (Σx)²)/n is one exact rational, rounded to a double once at the end.

const view = new DataView(new ArrayBuffer(8));

/** Splits a finite double into an integer mantissa and a power-of-two exponent: x = mantissa·2^exponent. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return { mantissa: sign * fraction, exponent: -1074 };
  return { mantissa: sign * (fraction | (1n << 52n)), exponent: biased - 1075 };
}

/** numerator / denominator · 2^power as a double (quotient kept to ~80 bits, ample for tests). */
function ratio(numerator: bigint, denominator: bigint, power: number): number {
  if (numerator === 0n) return 0;
  const negative = numerator < 0n !== denominator < 0n;
  let num = numerator < 0n ? -numerator : numerator;
  const den = denominator < 0n ? -denominator : denominator;
  // Scale so the quotient has ~80 significant bits, then divide once.
  const shift = 80 - (num.toString(2).length - den.toString(2).length);
  if (shift > 0) num <<= BigInt(shift);
  const quotient = shift > 0 ? num / den : num / (den << BigInt(-shift));
  const value = Number(quotient) * 2 ** (power - shift);
  return negative ? -value : value;
}

/** Exact mean and sample variance (ddof 1) of finite doubles, each rounded once. */
export function exactMoments(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  const parts = Array.from(values, decompose);
  // Zeros contribute nothing and must not drag the common exponent down to -1074.
  const base = Math.min(0, ...parts.filter((part) => part.mantissa !== 0n).map((part) => part.exponent));
  let sum = 0n;
  let sumSquares = 0n;
  for (const part of parts) {
    const scaled = part.mantissa << BigInt(part.exponent - base);
    sum += scaled;
    sumSquares += scaled * scaled;
  }
  const count = BigInt(n);
  // mean = sum·2^base / n; M2 = (n·Σx² − (Σx)²)·2^(2·base) / n.
  const m2Numerator = count * sumSquares - sum * sum;
  const mean = ratio(sum, count, base);
  const variance = n < 2 ? 0 : ratio(m2Numerator, count * (count - 1n), 2 * base);
  return { mean, variance };
}
