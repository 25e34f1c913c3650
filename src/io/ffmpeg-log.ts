import { AV_LOG_ERROR, AV_LOG_INFO, AV_LOG_QUIET, AV_LOG_WARNING, type AVLogLevel } from 'node-av/constants';
import { Log } from 'node-av/lib';

const LEVELS: Record<string, AVLogLevel> = { quiet: AV_LOG_QUIET, error: AV_LOG_ERROR, warning: AV_LOG_WARNING, info: AV_LOG_INFO };
let configured = false;

/**
 * FFmpeg prints codec banners and per-run summaries to stderr by default; keep only errors unless
 * FRAMEWISE_FFMPEG_LOG (quiet|error|warning|info) asks for more. Called by every FFmpeg source and sink.
 */
export function configureFfmpegLog(): void {
  if (configured) return;
  configured = true;
  Log.setLevel(LEVELS[process.env.FRAMEWISE_FFMPEG_LOG ?? 'error'] ?? AV_LOG_ERROR);
}
