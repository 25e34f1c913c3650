import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import type { PictureLoader, PictureSource } from '../effects/pictures.ts';
import { readFile } from 'node:fs/promises';
import { decodePictureBytes, pictureFormat } from '../io/picture-bytes.ts';
import { type PicturePlanes, readPicture } from '../io/read-picture.ts';

/** How the server finds pictures for `replace:<picture>`. */
export interface ServerPicturesOptions {
  /** The operator's folder of background pictures, offered by file name (`replace:beach` or `replace:beach.jpg`). */
  backgroundsDir?: string;
  /** Largest picture accepted, in pixels (default 4096x2304). */
  maxPixels?: number;
  /** Uploads kept at once; the oldest goes first (default 32). */
  maxUploads?: number;
  /** Bytes of decoded uploads kept at once (default 256 MiB). */
  maxUploadBytes?: number;
}

const PICTURE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const UPLOAD = /^upload:([0-9a-f]{24})$/;

/**
 * The pictures a network client may name: the operator's backgrounds (by file name, looked up in the folder's
 * listing, so no path from the request is ever opened) and pictures the clients uploaded (by an unguessable id).
 * Every other name gets the same refusal, whether or not such a file exists.
 */
export class ServerPictures implements PictureSource {
  private readonly uploads = new Map<string, { planes: PicturePlanes; original: Uint8Array; bytes: number }>();
  private uploadBytes = 0;
  readonly maxPixels: number;

  constructor(private readonly options: ServerPicturesOptions = {}) {
    this.maxPixels = options.maxPixels ?? 4096 * 2304;
    if (options.backgroundsDir !== undefined && !isDirectory(options.backgroundsDir))
      throw new FramewiseError('invalid-argument', `--backgrounds ${options.backgroundsDir} is not a folder`);
  }

  /** The backgrounds the operator offers, by name. */
  backgrounds(): string[] {
    const dir = this.options.backgroundsDir;
    if (dir === undefined) return [];
    return readdirSync(dir, { withFileTypes: true })
      .slice(0, 1000)
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && NAME.test(e.name) && PICTURE_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
  }

  resolve(name: string): PictureLoader {
    const found = this.find(name);
    if (found.kind === 'upload') return async () => found.planes;
    return () => readPicture(found.path, { maxPixels: this.maxPixels });
  }

  /**
   * The picture `name` names as its file's bytes (for a page that runs the effect itself): a background's file, or
   * the bytes of an upload as they were sent. The same refusal as `resolve` for any other name.
   */
  async bytesOf(name: string): Promise<{ bytes: Uint8Array; type: string }> {
    const found = this.find(name);
    const bytes = found.kind === 'upload' ? found.original : await readFile(found.path);
    const format = pictureFormat(bytes);
    if (!format) throw new FramewiseError('unsupported-format', `background ${name.slice(0, 80)} is not a JPEG, PNG, WebP or GIF file`);
    return { bytes, type: `image/${format}` };
  }

  private find(name: string): { kind: 'upload'; planes: PicturePlanes; original: Uint8Array } | { kind: 'file'; path: string } {
    const upload = UPLOAD.exec(name)?.[1];
    const uploaded = upload === undefined ? undefined : this.uploads.get(upload);
    if (uploaded) return { kind: 'upload', planes: uploaded.planes, original: uploaded.original };
    const file = NAME.test(name) ? this.backgrounds().find((b) => b === name || b.slice(0, -extname(b).length) === name) : undefined;
    if (file === undefined || this.options.backgroundsDir === undefined)
      throw new FramewiseError(
        'invalid-argument',
        `picture "${name.slice(0, 80)}" is not allowed: use a colour, one of this server's backgrounds (GET /backgrounds) or a picture you uploaded (POST /backgrounds)`,
      );
    return { kind: 'file', path: join(this.options.backgroundsDir, file) };
  }

  /** Keep an uploaded picture (JPEG, PNG, WebP or GIF bytes); returns the name effects use for it, `upload:<id>`. */
  async upload(bytes: Uint8Array): Promise<{ name: string; width: number; height: number }> {
    const planes = await decodePictureBytes(bytes, { maxPixels: this.maxPixels });
    const original = Uint8Array.from(bytes);
    const size = planes.reduce((n, p) => n + p.data.byteLength, 0) + original.byteLength;
    const id = randomBytes(12).toString('hex');
    this.uploads.set(id, { planes, original, bytes: size });
    this.uploadBytes += size;
    const maxUploads = this.options.maxUploads ?? 32;
    const maxBytes = this.options.maxUploadBytes ?? 256 * 1024 * 1024;
    for (const [oldest, entry] of this.uploads) {
      if (this.uploads.size <= maxUploads && this.uploadBytes <= maxBytes) break;
      if (oldest === id) break;
      this.uploads.delete(oldest);
      this.uploadBytes -= entry.bytes;
    }
    return { name: `upload:${id}`, width: planes[0].width, height: planes[0].height };
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
