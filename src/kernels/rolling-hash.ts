/**
 * Rolling hash: the Karp–Rabin polynomial hash H(s₀…s_{n−1}) = Σ sᵢ·B^{n−1−i} mod 2³², kept as
 * two independent 32-bit halves (bases `ROLLING_BASE_HI`, `ROLLING_BASE_LO`) and slid one symbol
 * at a time in O(1): H' = (H − s_old·B^{n−1})·B + s_new.
 *
 * Karp & Rabin, "Efficient randomized pattern-matching algorithms", IBM J. Res. Dev. 31(2), 1987.
 * Arithmetic is modulo 2³² with `Math.imul` (no division, no bigint). A modulus 2³² polynomial is
 * not a universal hash: inputs can be crafted to collide (Thue–Morse strings, at n in the
 * thousands), so the low half is fed a non-linear substitution of each symbol
 * (`substituteSymbol`), and the keys are only ever used for statistics, never for identity.
 * For natural text and the short n used here (3–8), the two halves behave as a 64-bit hash:
 * k distinct n-grams share a key with probability ≈ k²/2⁶⁵.
 *
 * @example
 * // hash of "abcd" as a 4-gram, rolled from "zabc":
 * const top = rollingPower(ROLLING_BASE_HI, 4);  // B^(n-1)
 */
export const ROLLING_BASE_HI = 0x9e3779b1;
export const ROLLING_BASE_LO = 0x2545f491;

/** B^(n−1) mod 2³², the weight of the symbol that leaves an n-symbol window. */
export function rollingPower(base: number, n: number): number {
  let power = 1;
  for (let step = 1; step < n; step++) power = Math.imul(power, base);
  return power;
}

/** Cheap non-linear bijection of a 32-bit symbol (xor-shift after an odd multiply). */
export function substituteSymbol(symbol: number): number {
  let mixed = Math.imul(symbol ^ 0xa5a5a5a5, 0x27d4eb2d);
  mixed ^= mixed >>> 15;
  return mixed;
}
