// Plain string/Map recomputations used as oracles by the text-kernel property tests.
// They follow the documented definitions literally (substrings, regex words, arrays), with no
// hashing, so they can disagree with the kernels only through a bug or a hash collision.

/** Lower-cases one code point the way the kernels do: only when the result is one code unit. */
function lowerUnitwise(text: string): string {
  let out = '';
  for (const character of text) {
    if (character.length !== 1) {
      out += character;
      continue;
    }
    const lowered = character.toLowerCase();
    out += lowered.length === 1 ? lowered : character;
  }
  return out;
}

/** Words: runs of BMP letters/digits/marks; astral characters and lone surrogates separate. */
export function naiveWords(text: string, maxChars = Infinity): string[] {
  const cut = text.slice(0, maxChars).replace(/[\uD800-\uDFFF]/g, ' ');
  return (cut.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).map(lowerUnitwise);
}

export interface NaiveNgramStats {
  total: number;
  distinct: number;
  repetition: number;
  repeatedShare: number;
}

function stats(grams: readonly string[]): NaiveNgramStats {
  const counts = new Map<string, number>();
  for (const gram of grams) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  let repeated = 0;
  for (const count of counts.values()) if (count > 1) repeated += count;
  const total = grams.length;
  return {
    total,
    distinct: counts.size,
    repetition: total === 0 ? 0 : 1 - counts.size / total,
    repeatedShare: total === 0 ? 0 : repeated / total,
  };
}

export function naiveCharNgrams(text: string, n: number, maxChars = Infinity): string[] {
  const cut = text.slice(0, maxChars);
  const grams: string[] = [];
  for (let index = 0; index + n <= cut.length; index++) grams.push(cut.slice(index, index + n));
  return grams;
}

export function naiveWordNgrams(words: readonly string[], n: number): string[] {
  const grams: string[] = [];
  // A separator that cannot occur inside a word keeps ["ab","c"] and ["a","bc"] apart.
  for (let index = 0; index + n <= words.length; index++) grams.push(words.slice(index, index + n).join('\u0000'));
  return grams;
}

export const naiveCharStats = (text: string, n: number, maxChars = Infinity): NaiveNgramStats =>
  stats(naiveCharNgrams(text, n, maxChars));

export const naiveWordStats = (text: string, n: number, maxChars = Infinity): NaiveNgramStats =>
  stats(naiveWordNgrams(naiveWords(text, maxChars), n));

/** distinct / total word n-grams over a list of responses (n-grams inside each response). */
export function naiveDistinctN(responses: readonly string[], n: number): { distinct: number; total: number; ratio: number } {
  const grams = responses.flatMap((response) => naiveWordNgrams(naiveWords(response), n));
  const distinct = new Set(grams).size;
  return { distinct, total: grams.length, ratio: grams.length === 0 ? 1 : distinct / grams.length };
}

/** Case- and white-space-normalised form used by the near-duplicate mode. */
export function naiveNormalize(text: string): string {
  return lowerUnitwise(text.replace(/\s+/gu, ' ').trim());
}
