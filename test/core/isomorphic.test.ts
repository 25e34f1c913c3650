import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath } from '../helpers.ts';

test('core/ imports nothing but its own files (runs in the browser too)', () => {
  const dir = repoPath('src/core');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10, 'core has its files');
  const offenders: string[] = [];
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const match of source.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = match[1] ?? match[2] ?? '';
      if (!spec.startsWith('./')) offenders.push(`${file}: ${spec}`);
    }
    if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(source)) offenders.push(`${file}: uses a Node global`);
  }
  assert.deepEqual(offenders, []);
});
