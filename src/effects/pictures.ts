import { existsSync, statSync } from 'node:fs';
import { FramewiseError } from '../core/errors.ts';
import { type PicturePlanes, readPicture } from '../io/read-picture.ts';

/** Loads a picture the stage asked for, as I420 planes (called when the stage opens). */
export type PictureLoader = () => Promise<PicturePlanes>;

/** Where an effect's picture arguments may come from. `resolve` throws a FramewiseError when the name is not allowed. */
export interface PictureSource {
  resolve(name: string): PictureLoader;
}

/** Pictures named by a local path, as typed on the command line (the user owns the files). */
export const localPictures: PictureSource = {
  resolve(path: string): PictureLoader {
    if (!existsSync(path)) throw new FramewiseError('input-not-found', `background picture ${path} does not exist`);
    if (!statSync(path).isFile()) throw new FramewiseError('invalid-argument', `background picture ${path} is not a file`);
    return () => readPicture(path);
  },
};

/** No pictures at all: every name is refused (a context that allows only colours). */
export const noPictures: PictureSource = {
  resolve(name: string): PictureLoader {
    throw new FramewiseError('invalid-argument', `picture "${name}" is not allowed here: use a colour`);
  },
};
