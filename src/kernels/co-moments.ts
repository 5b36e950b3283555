import type { CoMoments } from './partial-slope.js';

/** Mutable {@link CoMoments}, for sums pooled over groups. */
export interface CoMomentSums {
  sxx: number;
  syy: number;
  sxy: number;
  szz: number;
  sxz: number;
  syz: number;
}

/** Co-moments that are all 0, to pool into. */
export function zeroCoMoments(): CoMomentSums {
  return { sxx: 0, syy: 0, sxy: 0, szz: 0, sxz: 0, syz: 0 };
}

const NO_MOMENTS: CoMoments = Object.freeze(zeroCoMoments());

/** Adds `moments` into `total` (co-moments about each group's own mean add across groups). */
export function addCoMoments(total: CoMomentSums, moments: CoMoments): void {
  total.sxx += moments.sxx;
  total.syy += moments.syy;
  total.sxy += moments.sxy;
  total.szz += moments.szz;
  total.sxz += moments.sxz;
  total.syz += moments.syz;
}

/**
 * Centered sums of squares and cross products of (x, y, z) samples about their running means, by
 * Welford's update extended to co-moments: C_xy += (x − mean_x before) · (y − mean_y after). As
 * `Moments` does for one variable, it avoids the cancellation of Σxy − ΣxΣy/n (a reward of
 * 1e9 + noise keeps its variance). O(1) per sample, no allocation.
 *
 * @example
 * const m = new RunningCoMoments();
 * for (const [x, y] of [[1, 2], [2, 4], [3, 6]]) m.push(x, y, 0);
 * m.sxx; // 2
 * m.sxy; // 4
 */
export class RunningCoMoments implements CoMomentSums {
  n = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;
  szz = 0;
  sxz = 0;
  syz = 0;
  private mx = 0;
  private my = 0;
  private mz = 0;

  push(x: number, y: number, z: number): void {
    const inverse = 1 / ++this.n;
    const dx = x - this.mx;
    const dy = y - this.my;
    const dz = z - this.mz;
    this.mx += dx * inverse;
    this.my += dy * inverse;
    this.mz += dz * inverse;
    const ex = x - this.mx;
    const ey = y - this.my;
    const ez = z - this.mz;
    this.sxx += dx * ex;
    this.syy += dy * ey;
    this.szz += dz * ez;
    this.sxy += dx * ey;
    this.sxz += dx * ez;
    this.syz += dy * ez;
  }

  reset(): void {
    this.n = this.mx = this.my = this.mz = 0;
    this.sxx = this.syy = this.sxy = this.szz = this.sxz = this.syz = 0;
  }
}

/**
 * Co-moments of (x, y, z) samples about the mean of each group, pooled over the groups: what a
 * fixed-effects regression (one intercept per group) reads its slopes from, via
 * `partialSlopeOfMoments` with `n − groups − regressors` degrees of freedom.
 *
 * A group is a run of consecutive samples with the same key (GRPO writes a prompt's completions
 * together); a key that comes back after another counts as a new group, one more intercept and
 * still a within-group comparison. `zz` is the raw Σz², to tell a constant z from a varying one
 * whatever its units. O(1) per sample, no allocation.
 *
 * @example
 * const within = new WithinGroupCoMoments();
 * within.push(1, 10, 0, 'a'); within.push(3, 12, 0, 'a'); // group a: slope 1
 * within.push(5, 0, 0, 'b'); within.push(7, 2, 0, 'b');   // group b: slope 1, another level
 * within.pooled(); // sxx 4, sxy 4: slope 1 within groups (across them it would be negative)
 */
export class WithinGroupCoMoments {
  /** Samples pushed. */
  n = 0;
  /** Groups (runs of one key). */
  groups = 0;
  /** Raw Σz². */
  zz = 0;
  private readonly total = zeroCoMoments();
  private readonly open = new RunningCoMoments();
  private key: string | undefined;

  push(x: number, y: number, z: number, key: string | undefined): void {
    if (this.open.n > 0 && key !== this.key) this.closeGroup();
    if (this.open.n === 0) {
      this.key = key;
      this.groups++;
    }
    this.n++;
    this.zz += z * z;
    this.open.push(x, y, z);
  }

  /** The co-moments pooled over every group so far (the open one included). */
  pooled(): CoMoments {
    const sums = { ...this.total };
    addCoMoments(sums, this.open);
    return sums;
  }

  reset(): void {
    this.n = this.groups = this.zz = 0;
    Object.assign(this.total, NO_MOMENTS);
    this.open.reset();
    this.key = undefined;
  }

  private closeGroup(): void {
    addCoMoments(this.total, this.open);
    this.open.reset();
  }
}
