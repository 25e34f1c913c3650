import type { Canvas2D } from '../avatar/draw-character.ts';
import { FramewiseError } from '../core/errors.ts';
import type { ModelRuntime } from '../models/model-runtime.ts';

/** A 2D drawing surface the effects draw vector shapes on and read back as RGBA. */
export interface DrawingContext extends Canvas2D {
  clearRect(x: number, y: number, width: number, height: number): void;
  getImageData(x: number, y: number, width: number, height: number): { readonly data: Uint8ClampedArray };
}

/** A canvas of a fixed size. */
export interface DrawingSurface {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): DrawingContext;
}

/**
 * What the effects need from the platform: models and a picture resizer (ModelRuntime), and canvases to draw on.
 * The server's (default) uses onnxruntime-node, swscale and Skia; the page's (framewise/browser) onnxruntime-web,
 * JavaScript and OffscreenCanvas. The effects themselves are the same code on both.
 */
export interface EffectRuntime extends ModelRuntime {
  createCanvas(width: number, height: number): DrawingSurface;
}

/**
 * The runtime an effect opens with: the one given, else the server's, imported on first use so that a page bundle
 * (which always passes its own) never pulls in Node's modules (package.json's "browser" field maps that module away).
 */
export async function effectRuntime(given?: EffectRuntime): Promise<EffectRuntime> {
  if (given) return given;
  const server = (await import('./node-effect-runtime.ts')) as { nodeEffectRuntime?: EffectRuntime };
  if (!server.nodeEffectRuntime)
    throw new FramewiseError('invalid-state', 'no effect runtime here: in a page, pass the browser runtime (createBrowserRuntime from framewise/browser)');
  return server.nodeEffectRuntime;
}
