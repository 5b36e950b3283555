import { describe, expect, it } from 'vitest';
import { resolveIo } from '../../src/cli/io.js';
import { Progress } from '../../src/cli/progress.js';

function fakeIo(isTTY: boolean) {
  let now = 0;
  let err = '';
  const io = resolveIo({ stdout: () => undefined, stderr: (text) => (err += text), stderrIsTTY: isTTY, now: () => now });
  return { io, advance: (ms: number) => (now += ms), err: () => err };
}

describe('Progress', () => {
  it('stays quiet for the first 2 seconds, then shows records/s, share and ETA in place, and clears itself', () => {
    const { io, advance, err } = fakeIo(true);
    const progress = new Progress(io, 40_960);
    for (let k = 0; k < 4096; k++) progress.tick();
    expect(err()).toBe('');
    advance(2048);
    for (let k = 0; k < 4096; k++) progress.tick();
    // 8192 records in 2.048 s = 4000/s; 32768 to go = 9 s.
    expect(err()).toBe('\r\u001b[K8,192 records, 4,000/s, 20%, ETA 9s');
    progress.clear();
    expect(err().endsWith('\r\u001b[K')).toBe(true);
  });

  it('over two passes, counts each pass from zero and gives share and ETA of both', () => {
    const { io, advance, err } = fakeIo(true);
    const progress = new Progress(io, 8192, true, 2);
    for (let k = 0; k < 8192; k++) progress.tick();
    progress.nextPass();
    advance(4096);
    for (let k = 0; k < 4096; k++) progress.tick();
    // 12288 records in 4.096 s = 3000/s; 4096 of 16384 to go = 2 s.
    expect(err()).toBe('\r\u001b[Kpass 2/2: 4,096 records, 3,000/s, 75%, ETA 2s');
  });

  it('never draws when stderr is not a terminal', () => {
    const { io, advance, err } = fakeIo(false);
    const progress = new Progress(io, undefined);
    advance(10_000);
    for (let k = 0; k < 10_000; k++) progress.tick();
    progress.clear();
    expect(err()).toBe('');
  });
});
