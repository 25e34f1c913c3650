import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { FramewiseServer } from '../../src/server/framewise-server.ts';

// What a page that runs effects itself fetches from the server: the models with their recorded checksums, and
// onnxruntime-web's WebAssembly files; and the headers that make the page cross-origin isolated (threads).

let server: FramewiseServer;

before(async () => {
  server = await FramewiseServer.start({ port: 0, token: 'secret' });
});

after(async () => {
  await server.close();
});

test('/models/<name>.json gives the sha256 recorded at build; /models/<name>.onnx is that file, public like the page', async () => {
  const info = (await (await fetch(`${server.url}/models/selfie.json`)).json()) as { name: string; sha256: string; bytes: number; inputDims: number[] };
  assert.equal(info.name, 'selfie');
  assert.match(info.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(info.inputDims, [1, 256, 256, 3]);
  const res = await fetch(`${server.url}/models/selfie.onnx`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.equal(res.headers.get('etag'), `"${info.sha256}"`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(bytes.byteLength, info.bytes);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), info.sha256);
  const head = await fetch(`${server.url}/models/selfie.onnx`, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), String(info.bytes));
});

test('only zoo model names and onnxruntime-web files are served: anything else from the network is a 404 or 405', async () => {
  for (const path of [
    '/models/',
    '/models/selfie',
    '/models/selfie.txt',
    '/models/SELFIE.json',
    '/models/__proto__.json',
    '/models/constructor.onnx',
    '/models/..%2F..%2Fpackage.json',
    '/models/selfie.onnx/extra',
    '/ort/',
    '/ort/ort.min.mjs',
    '/ort/..%2Fpackage.json',
    '/ort/ort-wasm-simd-threaded.wasm%00.txt',
  ]) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 404, `${path}: ${res.status}`);
    await res.body?.cancel();
  }
  const post = await fetch(`${server.url}/models/selfie.json`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

test("/ort/ serves onnxruntime-web's WebAssembly and its loaders, with the isolation headers workers need", async () => {
  const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  for (const [file, type] of [
    ['ort-wasm-simd-threaded.wasm', 'application/wasm'],
    ['ort-wasm-simd-threaded.mjs', 'text/javascript; charset=utf-8'],
    ['ort-wasm-simd-threaded.jsep.mjs', 'text/javascript; charset=utf-8'],
  ] as const) {
    const res = await fetch(`${server.url}/ort/${file}`, { method: 'HEAD' });
    assert.equal(res.status, 200, file);
    assert.equal(res.headers.get('content-type'), type);
    assert.equal(res.headers.get('content-length'), String(statSync(join(dist, file)).size));
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  }
});

test('the demo page is cross-origin isolated (COOP + COEP) unless ?isolation=off', async () => {
  const page = await fetch(`${server.url}/`);
  assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
  await page.body?.cancel();
  const plain = await fetch(`${server.url}/?isolation=off`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cross-origin-opener-policy'), null);
  assert.equal(plain.headers.get('cross-origin-embedder-policy'), null);
  await plain.body?.cancel();
});
