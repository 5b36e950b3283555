import type { Random } from './random.js';

// A few hundred common words: enough variety that healthy simulated reasoning has the n-gram
// statistics of ordinary prose rather than of a repeated template.
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no what up out who them some ' +
  'more time into only do could new other then first any these two may after most also made over did ' +
  'many before must through back years where much your way well down should because each just those ' +
  'people how too little state good very make world still own see men work long get here between both ' +
  'life being under never day same another know while last might us great old year off come since ' +
  'against go came right used take three number sum product total half twice difference remainder ' +
  'compute multiply divide subtract add check answer result value equation variable step method ' +
  'therefore thus hence given known unknown assume suppose let consider note observe find solve ' +
  'count apples boxes price cost speed distance hours minutes days weeks dollars cents percent rate ' +
  'ratio area length width height perimeter angle triangle circle square side radius digit factor ' +
  'prime even odd integer fraction decimal mean average left remaining each per every together ' +
  'first second third next finally clearly simply carefully again instead rather exactly nearly'
).split(' ');

const CONNECTIVES = ['so', 'then', 'therefore', 'next', 'now', 'which means', 'and so', 'thus'];

/** A sentence of ordinary-looking reasoning with a bit of arithmetic. */
function sentence(rng: Random): string {
  const words: string[] = [];
  const count = 6 + rng.int(9);
  for (let i = 0; i < count; i++) words.push(rng.pick(WORDS));
  if (rng.chance(0.6)) {
    const a = 2 + rng.int(98);
    const b = 2 + rng.int(20);
    words.push(`${rng.pick(CONNECTIVES)} ${a} * ${b} = ${a * b}`);
  }
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** Reasoning prose of roughly `targetChars` characters. */
export function reasoning(rng: Random, targetChars: number): string {
  let text = '';
  while (text.length < targetChars) text += (text.length > 0 ? ' ' : '') + sentence(rng);
  return text;
}

/** The GSM8K-style `<reasoning>/<answer>` layout the format preset expects. */
export function formatted(reasoningText: string, answer: string): string {
  return `<reasoning>\n${reasoningText}\n</reasoning>\n<answer>\n${answer}\n</answer>`;
}

/** Perfect tags around nothing: what a format-only reward pays for. */
export function emptyTagged(rng: Random): string {
  const junk = ['', ' ', '...', '-', 'answer', '?'];
  return formatted(rng.pick(junk), rng.pick(junk));
}

/** One phrase looped until the length budget is spent. */
export function repeated(rng: Random, targetChars: number, phrase: string): string {
  let text = rng.chance(0.5) ? 'Let me think. ' : '';
  while (text.length < targetChars) text += phrase + ' ';
  return text.trimEnd();
}

/** Text cut at the token cap: no closing tags, no answer. */
export function truncated(rng: Random, capChars: number): string {
  return ('<reasoning>\n' + reasoning(rng, capChars + 20)).slice(0, capChars);
}
