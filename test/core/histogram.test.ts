import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram } from '../../src/core/index.ts';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

test('percentiles agree with a sorted list within 0.1 %', () => {
  const h = new Histogram();
  const values: number[] = [];
  let seed = 42;
  for (let i = 0; i < 50_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const v = Math.floor(Math.exp((seed / 2 ** 31) * 16)); // 1 .. ~9e6, log-spread like latencies in us
    values.push(v);
    h.record(v);
  }
  values.sort((a, b) => a - b);
  for (const p of [1, 50, 90, 95, 99, 99.9]) {
    const exact = exactPercentile(values, p);
    const got = h.percentile(p);
    assert.ok(Math.abs(got - exact) <= Math.max(1, exact * 0.001), `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(h.count, 50_000);
  assert.equal(h.max, values.at(-1));
  assert.equal(h.min, values[0]);
});

test('small values are exact, empty histogram reports zeros, merge adds counts', () => {
  const a = new Histogram();
  assert.equal(a.percentile(99), 0);
  for (const v of [5, 7, 9]) a.record(v);
  assert.equal(a.percentile(50), 7);
  const b = new Histogram();
  b.record(1000);
  a.merge(b);
  assert.equal(a.count, 4);
  assert.equal(a.max, 1000);
  assert.equal(a.percentile(100), 1000);
});
