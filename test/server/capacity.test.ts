import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectDefinition } from '../../src/effects/registry.ts';
import { defaultMaxSessions } from '../../src/server/capacity.ts';

test('the default session limit follows cores and effect cost (measured per-session CPU)', () => {
  assert.equal(defaultMaxSessions(effectDefinition('passthrough')?.costMs ?? -1, 2), 4);
  assert.equal(defaultMaxSessions(effectDefinition('blur:32')?.costMs ?? -1, 2), 2);
  assert.equal(defaultMaxSessions(effectDefinition('blur')?.costMs ?? -1, 16), 20);
  assert.equal(defaultMaxSessions(1000, 1), 1, 'never below one session');
});
