import { FramewiseError } from '../core/errors.ts';
import type { PicturePlanes } from '../core/picture.ts';

/** Loads a picture the stage asked for, as I420 planes (called when the stage opens). */
export type PictureLoader = () => Promise<PicturePlanes>;

/** Where an effect's picture arguments may come from. `resolve` throws a FramewiseError when the name is not allowed. */
export interface PictureSource {
  resolve(name: string): PictureLoader;
}

/** No pictures at all: every name is refused (a context that allows only colours). */
export const noPictures: PictureSource = {
  resolve(name: string): PictureLoader {
    throw new FramewiseError('invalid-argument', `picture "${name}" is not allowed here: use a colour`);
  },
};
