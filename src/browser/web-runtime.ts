import * as ort from 'onnxruntime-web';
import { FramewiseError } from '../core/errors.ts';
import { BilinearScaler } from '../effects/bilinear-scaler.ts';
import type { DrawingSurface, EffectRuntime } from '../effects/effect-runtime.ts';
import type { InferenceModel } from '../models/inference-model.ts';
import type { ModelLoadOptions } from '../models/model-runtime.ts';
import { type OrtModule, OrtSessionModel } from '../models/ort-session-model.ts';
import { zooEntry } from '../models/zoo-entries.ts';

/** Options of `createBrowserRuntime`. */
export interface BrowserRuntimeOptions {
  /** Where the zoo's models are served: `<modelsUrl><name>.json` (sha256, size) and `<name>.onnx` (default "/models/", Framewise's server). */
  modelsUrl?: string;
  /** Where onnxruntime-web's .wasm and .mjs files are served (default "/ort/", Framewise's server). */
  wasmUrl?: string;
  /** Execution providers to try in order (default: "webgpu" when the browser has a WebGPU adapter, then "wasm"). */
  providers?: readonly string[];
  /**
   * WebAssembly threads for one inference (default: one core fewer than the browser reports, at most 4, when the
   * page is cross-origin isolated, which threads need; 1 otherwise). The core left over is for the camera, the
   * compositor and the page: on a 2-core machine a second thread made inference slower, not faster (BENCHMARKS.md).
   */
  threads?: number;
}

/** The page's runtime, and what it found about the browser. */
export interface BrowserRuntime extends EffectRuntime {
  /** WebAssembly threads per inference, as onnxruntime-web runs them (1 unless the page is cross-origin isolated). */
  readonly threads: number;
  /** True when the page is cross-origin isolated (COOP + COEP), so WebAssembly threads can run. */
  readonly crossOriginIsolated: boolean;
  /** Execution providers tried in order. */
  readonly providers: readonly string[];
  /** Model files fetched and checked so far: name -> sha256. */
  readonly loaded: ReadonlyMap<string, string>;
}

/** What the server says about a model before the page fetches it. */
interface ModelInfo {
  name: string;
  sha256: string;
  bytes: number;
}

const MAX_MODEL_BYTES = 64 * 1024 * 1024;

/** Hex sha256 of `bytes` (WebCrypto: the page must be a secure context, as localhost and https are). */
async function sha256(bytes: Uint8Array): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new FramewiseError('invalid-state', 'this page cannot check model checksums: open it over https or on localhost');
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function fetchOk(url: string, what: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new FramewiseError('input-unreadable', `cannot fetch ${what} from ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok)
    throw new FramewiseError('input-unreadable', `cannot fetch ${what} from ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return response;
}

function parseInfo(value: unknown, name: string): ModelInfo {
  const info = value as Partial<ModelInfo> | null;
  if (!info || typeof info.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(info.sha256) || typeof info.bytes !== 'number' || info.name !== name)
    throw new FramewiseError('unsupported-format', `the server's description of model "${name}" is not {name, sha256, bytes}`);
  return info as ModelInfo;
}

/** An ONNX model in onnxruntime-web. */
class WebOnnxModel extends OrtSessionModel {
  static async create(bytes: Uint8Array, inputDims: readonly number[], providers: readonly string[]): Promise<WebOnnxModel> {
    const runtime = ort as unknown as OrtModule;
    const opened = await OrtSessionModel.open(runtime, bytes, inputDims, providers, (provider) => ({
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    }));
    return new WebOnnxModel(runtime, opened.session, opened.provider, opened.input);
  }
}

async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/**
 * The runtime effects use in a page: zoo models fetched from the server (each checked against the sha256 the server
 * recorded when it built it; a mismatch is refused) and run by onnxruntime-web (WebGPU when the browser has an
 * adapter, else WebAssembly SIMD, with threads when the page is cross-origin isolated), pictures resized in
 * JavaScript, characters drawn on OffscreenCanvas. Pass it as `runtime` in the effect context.
 */
export async function createBrowserRuntime(options: BrowserRuntimeOptions = {}): Promise<BrowserRuntime> {
  const modelsUrl = options.modelsUrl ?? '/models/';
  const isolated = globalThis.crossOriginIsolated === true;
  const cores = navigator.hardwareConcurrency || 1;
  const threads = isolated ? Math.max(1, Math.min(options.threads ?? Math.min(4, cores - 1), cores)) : 1;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = options.wasmUrl ?? '/ort/';
  const providers = options.providers ?? ((await hasWebGpu()) ? ['webgpu', 'wasm'] : ['wasm']);
  const loaded = new Map<string, string>();
  const bytesOf = new Map<string, Promise<Uint8Array>>();

  /** The model's bytes, fetched once per page and checked against the server's recorded sha256. */
  const fetchModel = (name: string): Promise<Uint8Array> => {
    let pending = bytesOf.get(name);
    if (!pending) {
      pending = (async () => {
        const info = parseInfo(await (await fetchOk(`${modelsUrl}${name}.json`, `the description of model "${name}"`)).json(), name);
        if (info.bytes > MAX_MODEL_BYTES) throw new FramewiseError('invalid-argument', `model "${name}" is ${info.bytes} bytes, over the page's limit`);
        const bytes = new Uint8Array(await (await fetchOk(`${modelsUrl}${name}.onnx`, `model "${name}"`)).arrayBuffer());
        const digest = await sha256(bytes);
        if (digest !== info.sha256)
          throw new FramewiseError(
            'input-unreadable',
            `model ${name}.onnx was refused: its sha256 is ${digest.slice(0, 16)}..., the server recorded ${info.sha256.slice(0, 16)}... ` +
              `(${bytes.byteLength} bytes received, ${info.bytes} expected). The file was changed on the way (a proxy or cache?) or on the server: ` +
              `reload the page, and if it persists rebuild the models on the server (framewise models build).`,
          );
        loaded.set(name, digest);
        return bytes;
      })();
      bytesOf.set(name, pending);
      pending.catch(() => bytesOf.delete(name));
    }
    return pending;
  };

  return {
    name: 'browser',
    /** What onnxruntime-web really runs with: it falls back to 1 when the browser cannot run WebAssembly threads. */
    get threads(): number {
      return ort.env.wasm.numThreads ?? threads;
    },
    crossOriginIsolated: isolated,
    providers,
    loaded,
    async loadModel(name: string, load: ModelLoadOptions = {}): Promise<InferenceModel> {
      const entry = zooEntry(name);
      return WebOnnxModel.create(await fetchModel(name), entry.inputDims, load.providers ?? providers);
    },
    createScaler: () => new BilinearScaler(),
    createCanvas(width: number, height: number): DrawingSurface {
      return new OffscreenCanvas(width, height) as unknown as DrawingSurface;
    },
  };
}
