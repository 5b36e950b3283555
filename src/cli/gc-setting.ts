/**
 * The garbage-collector setting the goodhart CLI runs with: let the old generation grow 25%
 * between full collections instead of V8's default 2-4x. The analysis keeps a small, flat live
 * heap (~11 MB after GC on a 10^6-event text audit) while parsing throws away ~2 KB per line, so
 * the default growth only lets dead records pile up: peak RSS of that audit fell from ~139 MB to
 * ~113 MB for ~1.5% more CPU in full collections (benchmarks/README.md, suite cli). V8's heap
 * controller reads the flag at each collection, so setting it at start-up takes effect. The soak
 * runs its memory child with the same flag, so its figure is goodhart as the CLI ships it. The
 * library itself never touches process-wide flags.
 */
export const CLI_V8_FLAGS = ['--heap-growing-percent=25'] as const;

/**
 * Added once a replay's text detectors run on a worker thread (`parallelDetect`): keep the young
 * generation at its initial size. With two heaps the default growth to 16 MB semi-spaces took a
 * 10^6-event text audit to ~137 MB peak RSS; held at its start it peaked at ~120 MB. The extra
 * scavenges cost time now that the main thread is the slower one (letting the semi-spaces grow
 * to 4-16 MB saved 5-10% of a 200,000-event audit in one trial, at ~150 MB peak RSS), but the
 * RSS bound comes first (benchmarks/README.md, suite cli). One thread keeps V8's default: there
 * the extra scavenges cost ~7% CPU for RSS that is within bounds anyway.
 */
export const TWO_THREAD_V8_FLAGS = ['--semi-space-growth-factor=1'] as const;
