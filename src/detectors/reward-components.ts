/**
 * Which reward components are cheap (format, length, style: easy to satisfy without solving the
 * task) and which one measures real success (correctness, accuracy, pass rate), decided by name.
 * Shared by `componentDominance` (a cheap component driving the total) and `distributionDrift`
 * (length drift without gain in the true component). Pure: no rxjs.
 *
 * Defaults, by name (case-insensitive):
 * - cheap: {@link DEFAULT_CHEAP} — format, length (or a whole-word `len`), style, tag, xml, strict,
 *   protocol, block, verbos, concise, brevity, a whole-word `int` (an answer-is-an-integer check:
 *   `int_reward_func` of the GRPO GSM8K recipes), reasoning steps (open-r1's
 *   `reasoning_steps_reward` counts "Step 1:"-style markers) and overlong (a length penalty, as
 *   `soft_overlong_punishment`). `answer_block` and `strict_protocol` are cheap;
 *   `exact_number_usage` and `valid_expression` are not (they check the content).
 *
 * Why names: whether a component is cheap is a property of the check behind it (does it look at
 * the form of the response or at its content?), and the name is all a log says about that. The
 * numbers cannot tell: a format check and a correctness check both pay 0 or 1 per sample and both
 * rise as a run learns, and calling "cheap" whatever rises while the true component stalls would
 * make the exploit rule true by definition. So an unknown name is not cheap (no false alarm from
 * an honest task component), and `cheap` / `true` name the roles when the defaults do not.
 * - true: the first of {@link DEFAULT_TRUE_PATTERNS}, in that order of preference, that matches a
 *   component which is not cheap: gold (the gold reward model or judge that reward-model
 *   over-optimisation is measured against, beside the proxy that is trained on), correct,
 *   accura / `acc`, exact match / `em`, pass, verif, math, `answer` at the end, score. `correctness_component` beats `exact_number_usage`.
 * A configured true name is always true, even when its name looks cheap.
 */

/** Names of cheap components (format, length, style...). */
export const DEFAULT_CHEAP = /format|length|(?:^|[^a-z])(?:len|int)(?:[^a-z]|$)|style|tag|xml|strict|protocol|block|verbos|concise|brevity|reasoning_?steps|overlong/i;

/** Names of the true component, most preferred first. */
export const DEFAULT_TRUE_PATTERNS: readonly RegExp[] = [
  /gold/i,
  /correct/i,
  /accura|(?:^|[^a-z])acc(?:[^a-z]|$)/i,
  /exact_?match|(?:^|[^a-z])em(?:[^a-z]|$)/i,
  /pass/i,
  /verif/i,
  /math/i,
  /answer$/i,
  /score/i,
];

/** How the cheap components are named: a pattern, an explicit list, or a predicate on the name. */
export type CheapComponents = RegExp | readonly string[] | ((name: string) => boolean);
/** How the true component is named: its exact name, a pattern, or `false` for none. */
export type TrueComponent = string | RegExp | false;

/** Validates a `cheap` option; throws a TypeError naming the detector. */
export function checkCheap(detector: string, cheap: unknown): CheapComponents {
  if (cheap instanceof RegExp || typeof cheap === 'function') return cheap as CheapComponents;
  if (Array.isArray(cheap) && cheap.every((name) => typeof name === 'string')) return cheap;
  throw new TypeError(`${detector} cheap must be a RegExp, an array of component names or a function`);
}

/** Validates a `true` option; throws a TypeError naming the detector. */
export function checkTrue(detector: string, value: unknown): TrueComponent {
  if (value instanceof RegExp || value === false) return value;
  if (typeof value === 'string' && value.length > 0) return value;
  throw new TypeError(`${detector} true must be a component name, a RegExp or false`);
}

/**
 * Classifies component names (cached per name, so O(1) per known name) and picks the true one.
 *
 * @example
 * const roles = new ComponentRoles();
 * roles.isCheap('answer_block'); // true
 * roles.trueOf(['answer_block', 'exact_number_usage', 'correctness']); // 'correctness'
 */
export class ComponentRoles {
  private readonly cheap: CheapComponents;
  private readonly truth: TrueComponent | undefined;
  private readonly cheapCache = new Map<string, boolean>();

  /** `truth` undefined: the default patterns; `false`: no true component. */
  constructor(cheap: CheapComponents = DEFAULT_CHEAP, truth?: TrueComponent) {
    this.cheap = cheap;
    this.truth = truth;
  }

  /** Whether a component is cheap (never the configured true name). */
  isCheap(name: string): boolean {
    let cheap = this.cheapCache.get(name);
    if (cheap === undefined) {
      if (name === this.truth) cheap = false;
      else if (typeof this.cheap === 'function') cheap = this.cheap(name);
      else if (this.cheap instanceof RegExp) {
        this.cheap.lastIndex = 0;
        cheap = this.cheap.test(name);
      } else cheap = this.cheap.includes(name);
      this.cheapCache.set(name, cheap);
    }
    return cheap;
  }

  /** The true component among `names`, or undefined when none qualifies. */
  trueOf(names: Iterable<string>): string | undefined {
    const truth = this.truth;
    if (truth === false) return undefined;
    const candidates = [...names];
    if (typeof truth === 'string') return candidates.includes(truth) ? truth : undefined;
    const patterns = truth === undefined ? DEFAULT_TRUE_PATTERNS : [truth];
    for (const pattern of patterns) {
      for (const name of candidates) {
        pattern.lastIndex = 0;
        if (!this.isCheap(name) && pattern.test(name)) return name;
      }
    }
    return undefined;
  }
}

const COMPONENT_METRIC = /^reward\/(.+)\/mean$/;

/** The component name of a `reward/<c>/mean` metric, else undefined. */
export function componentOfMetric(metric: string): string | undefined {
  return COMPONENT_METRIC.exec(metric)?.[1];
}
