import { existsSync, statSync } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import { readPicture } from '../io/read-picture.ts';
import type { PictureLoader, PictureSource } from './pictures.ts';

/** Pictures named by a local path, as typed on the command line (the user owns the files). */
export const localPictures: PictureSource = {
  resolve(path: string): PictureLoader {
    if (!existsSync(path)) throw new FramewiseError('input-not-found', `background picture ${path} does not exist`);
    if (!statSync(path).isFile()) throw new FramewiseError('invalid-argument', `background picture ${path} is not a file`);
    return () => readPicture(path);
  },
};
