/**
 * The one verdict function: fuses alert episodes into healthy | warning | hacking | collapse, for
 * the `verdict()` operator, the dashboard, `summary` and `audit` alike.
 *
 * Rules, judged after every alert on the episodes open at that moment (an episode is an alert
 * `id` (with its `tag`) from its first alert until its `resolved` alert; its latest alert gives its
 * severity and signal):
 * - `hacking`: an `exploit` episode at warning or worse AND a `proxy-rise` episode (any severity:
 *   "pinned high" is `info` on its own) that is open or resolved within `proxyHorizon` steps. An
 *   episode that carried `proxy-rise` and escalated to `exploit` (a reward pinned at its ceiling
 *   whose variance then collapses) is both, so one detector can call hacking on its own;
 * - otherwise `collapse`: a `collapse` episode at warning or worse (the learning signal is gone);
 * - otherwise `warning`: any episode at warning or worse (an exploit signature without a rising
 *   proxy, instability, ...);
 * - otherwise `healthy`.
 * Each `tag` is judged on its own episodes (untagged alerts are one more group): a proxy-rise of
 * one tagged run never pairs with an exploit of another, and the state is the worst over tags.
 * That is `current`. The whole run is judged too: `status` is the worst state reached so far, in
 * the order healthy < warning < collapse < hacking (`verdictRank`), and stays there after the
 * episodes resolve, because a policy trained on a hacked reward is not cured by a calm ending;
 * `worstSince` is when it was first reached, `firstFlaggedStep` when the run first left healthy.
 * Persistence belongs to the detectors and `hysteresis()`: a state counts as soon as an episode
 * opens. Alerts made by the plumbing (`rateLimitAlerts`, `aggregateAlerts` summaries) are
 * ignored. Feed the verdict the output of `hysteresis()` before rate limiting: an episode whose
 * `resolved` alert is dropped stays open.
 *
 * Reasons: the open episodes at warning or worse, plus for a tag judged `hacking` its proxy-rise
 * episodes; each tag's together, the worst tag's first, each ordered by relevance to its tag's
 * state (exploit and proxy-rise for hacking, collapse for collapse), then severity (critical
 * first), then recency (latest alert first); a tagged alert's reason carries its `tag`.
 * Cost: O(open episodes) per alert.
 */
import { severityRank } from './types.js';
import type { Alert, Verdict, VerdictReason, VerdictStatus } from './types.js';

/** Verdict statuses from best to worst. */
export const VERDICT_ORDER: readonly VerdictStatus[] = ['healthy', 'warning', 'collapse', 'hacking'];

/**
 * Rank of a status: healthy 0 < warning 1 < collapse 2 < hacking 3. Hacking ranks above collapse:
 * a collapsed run wastes compute in plain sight, a hacked one looks good while it learns the
 * wrong thing.
 */
export const verdictRank: Readonly<Record<VerdictStatus, number>> = {
  healthy: 0,
  warning: 1,
  collapse: 2,
  hacking: 3,
};

/** Whether `status` is `level` or worse in `verdictRank` order. */
export function verdictAtLeast(status: VerdictStatus, level: VerdictStatus): boolean {
  return verdictRank[status] >= verdictRank[level];
}

/** Detectors whose alerts summarise other alerts; the verdict ignores them. */
export const PLUMBING_DETECTORS: ReadonlySet<string> = new Set(['rateLimitAlerts', 'aggregateAlerts']);

export interface VerdictConfig {
  /**
   * Steps after its `resolved` alert during which a proxy-rise episode still pairs with an
   * exploit signature into `hacking` (the proxy often plateaus just as the exploit shows).
   * Default `20`.
   */
  readonly proxyHorizon?: number;
}

export const VERDICT_DEFAULTS = { proxyHorizon: 20 } as const;

export function resolveVerdictConfig(config: VerdictConfig = {}): Required<VerdictConfig> {
  if (typeof config !== 'object') throw new TypeError('verdict config must be an object');
  const proxyHorizon = config.proxyHorizon ?? VERDICT_DEFAULTS.proxyHorizon;
  if (!(proxyHorizon >= 0)) {
    throw new RangeError(`verdict proxyHorizon must be a number >= 0, got ${String(proxyHorizon)}`);
  }
  return { proxyHorizon };
}

interface Assessment {
  readonly status: VerdictStatus;
  readonly reasons: readonly VerdictReason[];
}

const HEALTHY: Assessment = { status: 'healthy', reasons: [] };

/** Incremental judge: `add` alerts in order, read `verdict()` at any time. */
export class VerdictJudge {
  private readonly config: Required<VerdictConfig>;
  /** Latest alert of each open episode, by `tag|id`. */
  private readonly open = new Map<string, Alert>();
  /** Resolved proxy-rise episodes still within the horizon: their last open alert. */
  private readonly recentProxy = new Map<string, { readonly alert: Alert; readonly resolvedStep: number }>();
  /** Open episodes that have carried `proxy-rise`: they stay proxy evidence when they escalate. */
  private readonly proxyEpisodes = new Set<string>();
  private step = 0;
  private seen = false;
  private current: Assessment = HEALTHY;
  private worst: Assessment = HEALTHY;
  private worstSince: number | undefined;
  private firstFlaggedStep: number | undefined;

  constructor(config: VerdictConfig = {}) {
    this.config = resolveVerdictConfig(config);
  }

  /** Feeds one alert (in stream order) and re-judges. */
  add(alert: Alert): void {
    this.step = this.seen ? Math.max(this.step, alert.step) : alert.step;
    this.seen = true;
    if (!PLUMBING_DETECTORS.has(alert.detector)) {
      const key = alert.tag === undefined ? alert.id : `${alert.tag}|${alert.id}`;
      if (alert.state === 'resolved') {
        const wasProxy = this.proxyEpisodes.delete(key) || alert.signal === 'proxy-rise';
        // A resolved proxy is reported by its last open alert (what was wrong, not "back to normal").
        const lastOpen = this.open.get(key) ?? alert;
        this.open.delete(key);
        if (wasProxy) this.recentProxy.set(key, { alert: lastOpen, resolvedStep: alert.step });
        else this.recentProxy.delete(key);
      } else {
        if (!this.open.has(key)) this.proxyEpisodes.delete(key);
        if (alert.signal === 'proxy-rise') this.proxyEpisodes.add(key);
        this.open.set(key, alert);
        this.recentProxy.delete(key);
      }
    }
    for (const [key, resolved] of this.recentProxy) {
      if (this.step - resolved.resolvedStep > this.config.proxyHorizon) this.recentProxy.delete(key);
    }
    this.current = this.assess();
    const rank = verdictRank[this.current.status];
    if (rank > 0) this.firstFlaggedStep ??= this.step;
    if (rank > verdictRank[this.worst.status]) {
      this.worst = this.current;
      this.worstSince = this.step;
    } else if (rank > 0 && rank === verdictRank[this.worst.status]) {
      this.worst = this.current;
    }
  }

  verdict(): Verdict {
    return {
      status: this.worst.status,
      reasons: this.worst.reasons,
      ...(this.firstFlaggedStep === undefined ? {} : { firstFlaggedStep: this.firstFlaggedStep }),
      step: this.step,
      current: this.current.status,
      currentReasons: this.current.reasons,
      ...(this.worstSince === undefined ? {} : { worstSince: this.worstSince }),
    };
  }

  private assess(): Assessment {
    // Each tag is a run of its own (`tag()`): its episodes are judged together and never with
    // another tag's, since an exploit in one run beside a rising proxy in another is two runs with
    // one symptom each, not a hack. Untagged alerts are one run. The state is the worst over tags.
    const runs = new Map<string | undefined, TagRun>();
    const runOf = (tag: string | undefined): TagRun => {
      let run = runs.get(tag);
      if (run === undefined) {
        run = { flagged: [], proxies: [], exploit: false, collapse: false };
        runs.set(tag, run);
      }
      return run;
    };
    for (const [key, alert] of this.open) {
      const warningOrWorse = severityRank[alert.severity] >= severityRank.warning;
      const proxy = this.proxyEpisodes.has(key);
      if (!proxy && !warningOrWorse) continue;
      const run = runOf(alert.tag);
      if (proxy) run.proxies.push(alert);
      if (!warningOrWorse) continue;
      run.flagged.push(alert);
      if (alert.signal === 'exploit') run.exploit = true;
      if (alert.signal === 'collapse') run.collapse = true;
    }
    for (const resolved of this.recentProxy.values()) runOf(resolved.alert.tag).proxies.push(resolved.alert);
    let status: VerdictStatus = 'healthy';
    const judged: { readonly state: VerdictStatus; readonly reasons: Alert[] }[] = [];
    for (const run of runs.values()) {
      const state: VerdictStatus = run.exploit && run.proxies.length > 0 ? 'hacking' : run.collapse ? 'collapse' : run.flagged.length > 0 ? 'warning' : 'healthy';
      if (state === 'hacking') for (const alert of run.proxies) if (!run.flagged.includes(alert)) run.flagged.push(alert);
      if (run.flagged.length > 0) judged.push({ state, reasons: run.flagged });
      if (verdictRank[state] > verdictRank[status]) status = state;
    }
    if (status === 'healthy') return HEALTHY;
    if (judged.length === 1) return { status, reasons: rankReasons(judged[0]!.reasons, status) };
    // The worst tag's reasons first, each tag's together, in the order of its own state.
    judged.sort((a, b) => verdictRank[b.state] - verdictRank[a.state]);
    return { status, reasons: judged.flatMap((run) => rankReasons(run.reasons, run.state)) };
  }
}

/** The open episodes of one tag (or of the untagged alerts). */
interface TagRun {
  readonly flagged: Alert[];
  readonly proxies: Alert[];
  exploit: boolean;
  collapse: boolean;
}

function relevance(alert: Alert, status: VerdictStatus): number {
  if (status === 'hacking') return alert.signal === 'exploit' || alert.signal === 'proxy-rise' ? 1 : 0;
  if (status === 'collapse') return alert.signal === 'collapse' ? 1 : 0;
  return 0;
}

/** Orders one tag's reasons by relevance to its state, severity, recency; tagged reasons carry their `tag`. */
function rankReasons(alerts: Alert[], status: VerdictStatus): VerdictReason[] {
  alerts.sort(
    (a, b) =>
      relevance(b, status) - relevance(a, status) ||
      severityRank[b.severity] - severityRank[a.severity] ||
      b.step - a.step ||
      b.since - a.since,
  );
  return alerts.map((a) => {
    // No `...(tag ? { tag } : {})`: a spread costs about a microsecond per object in V8.
    const reason: { -readonly [K in keyof VerdictReason]: VerdictReason[K] } = {
      detector: a.detector,
      metric: a.metric,
      severity: a.severity,
      signal: a.signal,
      since: a.since,
      message: a.message,
    };
    if (a.tag !== undefined) reason.tag = a.tag;
    return reason;
  });
}

/**
 * Judges a whole run from its alerts, in stream order: the verdict `audit` gates on and `summary`
 * prints. Returns `healthy` at step 0 for a run without alerts.
 *
 * @example
 * ```ts
 * import { judge } from 'goodhart';
 * const v = judge(alerts);            // { status: 'hacking', worstSince: 140, current: 'healthy', ... }
 * process.exitCode = v.status === 'healthy' ? 0 : 1;
 * ```
 */
export function judge(alerts: Iterable<Alert>, config: VerdictConfig = {}): Verdict {
  const judgeRun = new VerdictJudge(config);
  for (const alert of alerts) judgeRun.add(alert);
  return judgeRun.verdict();
}
