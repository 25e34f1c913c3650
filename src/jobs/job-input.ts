import { FramewiseError } from '../core/errors.ts';
import { MediaSource } from '../io/media-source.ts';
import { PictureTooLargeError } from '../io/picture-size-guard.ts';
import { scanPackets } from '../io/packet-scan.ts';
import type { JobRecord } from './job.ts';
import { JobLimitError, type JobLimits } from './job-limits.ts';

/**
 * Demuxers a job's input may be read with: containers of video and nothing that names other files (no playlists,
 * concat scripts or image-sequence patterns), so an upload can never make FFmpeg read a file of the server's.
 */
const VIDEO_DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mpegts,avi,flv,ivf,mpeg,mpegvideo,nut,ogg,yuv4mpegpipe,gif,h264,hevc,asf,mxf';

/**
 * FFmpeg options for a job's input: always a local file (an upload, or what the server fetched for a URL job), read
 * from that file alone: no protocol but file, no playlist demuxer.
 */
export function jobInputOptions(): Record<string, string> {
  return { protocol_whitelist: 'file', format_whitelist: VIDEO_DEMUXERS };
}

/**
 * Open a job's input (a local file) as the worker will and check it against the limits before anything is decoded:
 * the picture size from the stream headers (a small file declaring a huge picture is refused without allocating
 * it), then its length, then every packet read through (a truncated or corrupt file fails here) and the frames x
 * pixels in all. What it is, for the record. `name` is how the input is called in errors.
 */
export async function inspectJobInput(input: string, name: string, limits: JobLimits): Promise<JobRecord['media']> {
  const inputOptions = jobInputOptions();
  const source = new MediaSource({ input, inputOptions, maxPixels: limits.maxPixels, openTimeoutMs: 15_000 });
  let info;
  try {
    info = await source.open();
  } catch (err) {
    if (err instanceof PictureTooLargeError)
      throw new JobLimitError(
        422,
        err.size
          ? `the video declares ${err.size.width}x${err.size.height}, over this server's limit of ${limits.maxPixels} pixels: downscale it first`
          : `the video declares no picture size in its container and its first pictures do not decode within this server's limit of ${limits.maxPixels} pixels: downscale it first`,
      );
    if (err instanceof FramewiseError) throw new FramewiseError(err.code, err.message.replaceAll(`"${input}"`, name));
    throw err;
  } finally {
    await source.close();
  }
  if (info.durationS !== undefined && info.durationS > limits.maxDurationS)
    throw new JobLimitError(422, `the video is ${Math.round(info.durationS)} s long, over this server's limit of ${limits.maxDurationS} s: cut it first`);
  const frames = (await scanPackets(input, inputOptions)).videoPackets;
  const pixels = info.width * info.height;
  if (frames * pixels > limits.maxTotalPixels)
    throw new JobLimitError(
      422,
      `the video has ${frames} frames of ${info.width}x${info.height} (${frames * pixels} pixels in all), over this server's limit of ${limits.maxTotalPixels}: cut or downscale it first`,
    );
  return {
    width: info.width,
    height: info.height,
    fps: Math.round(info.fps * 1000) / 1000,
    durationS: info.durationS ?? null,
    frames,
    description: info.description.replace(/^\S+/, (demuxer) => demuxer.split(',')[0] ?? demuxer),
  };
}
