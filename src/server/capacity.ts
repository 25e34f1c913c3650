import { availableParallelism } from 'node:os';

/**
 * CPU cost of one 640x480 30 fps WebRTC session without the effect, in ms per frame: VP8 decode ~1 ms, encode
 * 2-3 ms, handing the picture to libwebrtc ~2.5 ms, copies ~0.5 ms (../shared/FACTS.md and `npm run bench`).
 */
export const SESSION_BASE_COST_MS = 7;

/** Share of the CPU live sessions may plan to use; the rest is headroom so running sessions keep their latency. */
const CPU_SHARE = 0.7;

/** Default session limit: as many 30 fps sessions as fit in 70 % of the cores at the effect's cost (at least 1). */
export function defaultMaxSessions(effectCostMs: number, cores = availableParallelism(), fps = 30): number {
  const perFrameMs = SESSION_BASE_COST_MS + Math.max(0, effectCostMs);
  return Math.max(1, Math.floor((cores * CPU_SHARE * 1000) / (fps * perFrameMs)));
}
