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
