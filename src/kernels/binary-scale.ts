/**
 * Binary scaling: the power-of-two exponent of a number and exact multiplication by a power of
 * two, so running moments can hold their values as `x · 2^−e` near 1 and keep squares and sums
 * inside the double range for data at any scale (1e300, 1e-300, denormals).
 *
 * Multiplying by a power of two only changes the exponent: it is exact unless the result
 * overflows or leaves the normal range, and every correctly rounded operation (+, −, ×, ÷, √)
 * commutes with it, so moments computed on scaled values and scaled back are bit for bit those of
 * the raw values whenever the raw computation did not overflow or underflow.
 *
 * Cost: O(1) (`binaryExponent` is one `Math.log2`; `scaleByPowerOfTwo` up to four multiplications).
 *
 * @see IEEE 754-2019 §5.3.3 scaleB / logB, which these mirror within the double range.
 * @example
 * binaryExponent(1e300);                 // => 996
 * scaleByPowerOfTwo(1e300, -996) < 2;    // => true (1e300 · 2^−996 ≈ 1.49, exactly)
 */

/** Smallest and largest exponent `e` for which `2^e` is a normal double. */
export const MIN_NORMAL_EXPONENT = -1022;
export const MAX_EXPONENT = 1023;

/**
 * The window scaled state is kept in: scaled values outside [2^−256, 2^256] move the scale (their
 * squares stay far inside the double range). Shared by the moment kernels that scale.
 */
export const SCALED_HIGH = 2 ** 256;
export const SCALED_LOW = 2 ** -256;
/** Exponent changes of at most this much are not worth a rescale. */
export const RESCALE_MARGIN = 128;

/**
 * The exponent scaled state moves to when a value of binary exponent `wanted` arrives: the value's
 * own for an empty state (`stateSize` 0), else the larger of it and the state's magnitude
 * (`current` plus the exponent of the state's scaled size), kept in the normal range.
 */
export function targetExponent(wanted: number, current: number, stateSize: number): number {
  if (stateSize === 0) return wanted;
  return Math.min(MAX_EXPONENT, Math.max(MIN_NORMAL_EXPONENT, wanted, current + binaryExponent(stateSize)));
}

/**
 * floor(log2 |x|) clamped to [−1022, 1023] (denormals report −1022, so `x · 2^−e` stays a
 * double); 0 for 0 and for non-finite `x`. Off by one near exact powers of two is harmless: callers
 * only need `|x · 2^−e|` within a factor of four of 1.
 */
export function binaryExponent(x: number): number {
  const size = Math.abs(x);
  if (size === 0 || !Number.isFinite(size)) return 0;
  const exponent = Math.floor(Math.log2(size));
  return exponent < MIN_NORMAL_EXPONENT ? MIN_NORMAL_EXPONENT : exponent > MAX_EXPONENT ? MAX_EXPONENT : exponent;
}

/**
 * `x · 2^e` for an integer `e` with |e| ≤ 4092, in steps whose factors are exact doubles; exact
 * unless the result overflows or becomes denormal.
 */
export function scaleByPowerOfTwo(x: number, e: number): number {
  let result = x;
  let remaining = e;
  while (remaining > MAX_EXPONENT) {
    result *= 2 ** MAX_EXPONENT;
    remaining -= MAX_EXPONENT;
  }
  while (remaining < MIN_NORMAL_EXPONENT) {
    result *= 2 ** MIN_NORMAL_EXPONENT;
    remaining -= MIN_NORMAL_EXPONENT;
  }
  return result * 2 ** remaining;
}
