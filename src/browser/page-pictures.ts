import { FramewiseError } from '../core/errors.ts';
import { Frame } from '../core/frame.ts';
import type { PicturePlanes } from '../core/picture.ts';
import type { PictureLoader, PictureSource } from '../effects/pictures.ts';
import { ImageFrameReader } from './image-frame-reader.ts';

/** Largest picture decoded in the page, in pixels (as the server's default). */
const MAX_PIXELS = 4096 * 2304;

/** Decode a picture (a fetched or chosen file) to I420 planes with the browser's own decoder. */
export async function decodePicture(blob: Blob): Promise<PicturePlanes> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new FramewiseError('unsupported-format', 'the background is not a picture this browser can decode: use a JPEG, PNG, WebP or GIF file');
  }
  try {
    const width = bitmap.width & ~1;
    const height = bitmap.height & ~1;
    if (width < 2 || height < 2 || width * height > MAX_PIXELS)
      throw new FramewiseError('invalid-argument', `the background is ${bitmap.width}x${bitmap.height}: use a picture between 2x2 and ${MAX_PIXELS} pixels`);
    const cw = width / 2;
    const ch = height / 2;
    const frame = new Frame({ width, height, format: 'i420' }, [new Uint8Array(width * height), new Uint8Array(cw * ch), new Uint8Array(cw * ch)]);
    new ImageFrameReader().read(bitmap, frame);
    const [y, u, v] = frame.planes as [Uint8Array, Uint8Array, Uint8Array];
    return [
      { width, height, data: y },
      { width: cw, height: ch, data: u },
      { width: cw, height: ch, data: v },
    ];
  } finally {
    bitmap.close();
  }
}

/** Options of `serverPictures`. */
export interface ServerPicturesOptions {
  /** Where the server is (default: this page's origin). */
  baseUrl?: string;
  /** Headers for its requests (the bearer token, when the server has one). */
  headers?: Record<string, string>;
}

/**
 * `replace:<picture>` in the page: the server's backgrounds and uploads (`GET /backgrounds/<name>`, the same names as
 * on the server), and pictures the user picked in the page itself (`addLocal`, named `local:<n>`; they never leave
 * the page). Decoded by the browser.
 */
export class PagePictures implements PictureSource {
  private readonly local = new Map<string, Blob>();
  private next = 1;

  constructor(private readonly options: ServerPicturesOptions = {}) {}

  /** Keep a picture chosen in the page; returns the name effects use for it (`replace:local:1`). */
  addLocal(blob: Blob): string {
    const name = `local:${this.next++}`;
    this.local.set(name, blob);
    return name;
  }

  resolve(name: string): PictureLoader {
    const local = this.local.get(name);
    if (local) return () => decodePicture(local);
    if (!/^(upload:[0-9a-f]{24}|[A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/.test(name))
      throw new FramewiseError(
        'invalid-argument',
        `picture "${name.slice(0, 80)}" is not allowed: use a colour, a background of the server or a picture you picked`,
      );
    return async () => {
      const url = new URL(`/backgrounds/${encodeURIComponent(name)}`, this.options.baseUrl ?? location.origin);
      const response = await fetch(url, { headers: this.options.headers ?? {} });
      if (!response.ok) throw new FramewiseError('input-not-found', `background "${name}": ${(await response.text()).trim() || `HTTP ${response.status}`}`);
      return decodePicture(await response.blob());
    };
  }
}
