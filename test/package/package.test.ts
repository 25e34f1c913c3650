import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoPath, scratchDir } from '../helpers.ts';

// The package as users get it: packed, installed into a plain project from the npm cache (no network beyond what
// `npm ci` of this repository already fetched), imported from plain Node and type-checked from TypeScript.

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 300_000, env: cleanEnv() });

/** The environment without anything npm or this repository's run set, as a user's shell would have it. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_|^NODE_OPTIONS$|^ONNXRUNTIME_NODE/i.test(k)) env[k] = v;
  return env;
}

const USER_JS = `
import { Pipeline, live, render, MediaSource, TestPatternSource, NullSink, createEffect, listEffects } from 'framewise';
import { runStage } from 'framewise/testing';
import { Frame, FramePool } from 'framewise/core';
const result = await new Pipeline({ source: new TestPatternSource({ width: 64, height: 64, fps: 30, durationS: 0.5 }), sink: new NullSink(), policy: render() }).run();
const pool = new FramePool({ width: 64, height: 64, format: 'i420' });
const staged = await runStage(createEffect('grayscale'), [pool.acquire(), pool.acquire()]);
console.log(JSON.stringify({ frames: result.stats.framesOut, staged: staged.frames.length, live: live().kind, media: typeof MediaSource, frame: typeof Frame, effects: listEffects().length }));
`;

const USER_TS = `
import { type EffectDefinition, type Frame, live, MediaSource, NullSink, Pipeline, registerEffect, createEffect, type Stage } from 'framewise';
import { runStage, type StageRun } from 'framewise/testing';
import { FramePool, type PipelineStats } from 'framewise/core';

const invert: Stage = {
  name: 'invert',
  process(frame: Frame): Frame {
    const y = frame.planes[0];
    if (y) for (let i = 0; i < y.length; i++) y[i] = 255 - (y[i] ?? 0);
    return frame;
  },
};
const definition: EffectDefinition = { name: 'invert', summary: 'inverts luma', costMs: 0.2, create: () => invert };
registerEffect(definition);
export const pipeline = new Pipeline({ source: new MediaSource({ input: 'in.mp4' }), stages: [createEffect('invert')], sink: new NullSink(), policy: live({ deadlineMs: 50 }) });
const pool = new FramePool({ width: 64, height: 64, format: 'i420' });
export const run: Promise<StageRun> = runStage(invert, [pool.acquire()]);
export const latency = (stats: PipelineStats): number => stats.latencyMs.p95;
`;

const USER_PAGE_TS = `
import { createBrowserRuntime, PageEffects, buildEffect, noPictures, type BrowserRuntime, type Stage } from 'framewise/browser';
export async function run(video: HTMLVideoElement): Promise<void> {
  const runtime: BrowserRuntime = await createBrowserRuntime({ modelsUrl: '/models/' });
  const stage: Stage = buildEffect('faces', { pictures: noPictures, runtime });
  void stage;
  const camera = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0];
  if (!camera) return;
  const effects = await PageEffects.start(camera, { runtime, effect: 'blur:16' });
  video.srcObject = new MediaStream([effects.track]);
}
`;

/** Pack this repository, install the tarball into an empty project, check it from Node and TypeScript; returns the project. */
function installPacked(): string {
  assert.ok(existsSync(repoPath('dist/index.js')) && existsSync(repoPath('dist/web/app.js')), 'dist/ is built (npm run build; npm test builds first)');
  const dir = scratchDir('package');
  const packed = JSON.parse(npm(['pack', repoPath('.'), '--ignore-scripts', '--json', '--pack-destination', dir], dir)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = packed[0];
  assert.ok(tarball, 'npm pack made a tarball');
  const files = tarball.files.map((f) => f.path);
  for (const needed of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/core/index.js',
    'dist/testing/index.d.ts',
    'dist/cli/main.js',
    'dist/web/app.js',
    'dist/browser/index.js',
    'dist/browser/index.d.ts',
    'bin/framewise.js',
  ])
    assert.ok(files.includes(needed), `the tarball has ${needed}`);
  assert.ok(
    !files.some((f) => f.startsWith('test/') || f.startsWith('bench/') || f.startsWith('node_modules/')),
    'no tests, benchmarks or dependencies inside',
  );

  const app = join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  // What the README tells users: deny onnxruntime-node's download of its CUDA provider (Framewise uses the CPU one).
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false, 'node-av': false, protobufjs: false } }),
  );
  npm(['install', join(dir, tarball.filename), '--prefer-offline'], app);
  assert.ok(readdirSync(join(app, 'node_modules')).includes('framewise'));

  writeFileSync(join(app, 'user.mjs'), USER_JS);
  const ran = JSON.parse(execFileSync(process.execPath, ['user.mjs'], { cwd: app, encoding: 'utf8', env: cleanEnv() })) as Record<string, unknown>;
  assert.deepEqual(ran, { frames: 15, staged: 2, live: 'live', media: 'function', frame: 'function', effects: ran.effects });
  assert.ok(Number(ran.effects) >= 10);

  writeFileSync(join(app, 'user.ts'), USER_TS);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [repoPath('node_modules/@types')],
      },
      files: ['user.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [repoPath('node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app, encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc against the published types: ${tsc.stdout}${tsc.stderr}`);
  // A mistake against the types is caught: the published types are real, not any.
  writeFileSync(join(app, 'user.ts'), `${USER_TS}\nexport const wrong: string = live().deadlineMs;\n`);
  const wrong = spawnSync(process.execPath, [repoPath('node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app, encoding: 'utf8' });
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stdout, /Type 'number' is not assignable to type 'string'/);

  // framewise/browser, as a page's bundler sees it: it type-checks against the DOM, and bundles for the browser with
  // nothing of Node in it (package.json's "browser" field leaves the server's runtime out).
  writeFileSync(join(app, 'page.ts'), USER_PAGE_TS);
  writeFileSync(
    join(app, 'tsconfig.page.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'ESNext.Disposable', 'DOM', 'DOM.Iterable'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['page.ts'],
    }),
  );
  const pageTsc = spawnSync(process.execPath, [repoPath('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.page.json'], { cwd: app, encoding: 'utf8' });
  assert.equal(pageTsc.status, 0, `tsc of a page using framewise/browser: ${pageTsc.stdout}${pageTsc.stderr}`);
  const bundled = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { build } from ${JSON.stringify(repoPath('node_modules/esbuild/lib/main.js'))};
       const r = await build({ entryPoints: ['page.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'error',
         conditions: ['onnxruntime-web-use-extern-wasm'] });
       console.log(JSON.stringify(Object.keys(r.metafile.inputs)));`,
    ],
    { cwd: app, encoding: 'utf8' },
  );
  assert.equal(bundled.status, 0, `esbuild of a page using framewise/browser: ${bundled.stderr}`);
  const inputs = JSON.parse(bundled.stdout) as string[];
  assert.ok(
    inputs.some((i) => i.includes('framewise/dist/browser/page-effects.js')),
    'the bundle holds the page runtime',
  );
  const serverOnly = inputs.filter(
    (i) => /onnxruntime-node|node-av|@napi-rs|@roamhq|^node:|framewise\/dist\/(io|server|cli|jobs)\//.test(i) && !i.startsWith('(disabled)'),
  );
  assert.deepEqual(serverOnly, [], 'nothing of the server in the page bundle');

  const help = spawnSync('npx', ['--no-install', 'framewise', '--help'], { cwd: app, encoding: 'utf8', env: cleanEnv() });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^framewise <command>/);
  const version = spawnSync(join(app, 'node_modules', '.bin', 'framewise'), ['--version'], { cwd: app, encoding: 'utf8', env: cleanEnv() });
  assert.match(version.stdout, /^framewise 0\.\d+\.\d+/);
  return app;
}

test('npm pack -> install into a plain project -> import from Node, type-check from TypeScript, run the CLI', { timeout: 600_000 }, async () => {
  const app = installPacked();
  // The container's run stage, without a container: build the models into a folder, serve, answer /healthz.
  const models = join(app, 'models');
  const built = spawnSync(join(app, 'node_modules', '.bin', 'framewise'), ['models', 'build', 'selfie'], {
    cwd: app,
    encoding: 'utf8',
    env: { ...cleanEnv(), FRAMEWISE_MODELS_DIR: models },
  });
  assert.equal(built.status, 0, built.stderr);
  assert.ok(existsSync(join(models, 'selfie.onnx')));
  const server = spawn(join(app, 'node_modules', '.bin', 'framewise'), ['serve', '--port', '0', '--duration', '20', '--log-level', 'warn'], {
    cwd: app,
    env: cleanEnv(),
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /live server on (http:\/\/[\d.:]+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.on('close', () => reject(new Error(`the server exited: ${out}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean };
    assert.equal(health.ok, true);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200, 'the demo page ships in the package (dist/web)');
    assert.match(await page.text(), /Framewise live/);
  } finally {
    server.kill('SIGTERM');
  }
});

test('Containerfile: built and started where a container engine is running', { timeout: 1_200_000 }, async (t) => {
  const info = spawnSync('docker', ['info'], { encoding: 'utf8' });
  if (info.status !== 0) {
    t.skip('no container engine is running on this machine (docker info fails); the run stage is exercised without one above');
    return;
  }
  const tag = `framewise-test-${process.pid}`;
  const build = spawnSync('docker', ['build', '-f', repoPath('Containerfile'), '-t', tag, repoPath('.')], { encoding: 'utf8', timeout: 1_100_000 });
  assert.equal(build.status, 0, build.stderr);
  const run = spawnSync('docker', ['run', '--rm', tag, 'npx', 'framewise', '--version'], { encoding: 'utf8' });
  assert.match(run.stdout, /^framewise \d/);
});
