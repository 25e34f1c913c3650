import { availableParallelism } from 'node:os';

/**
 * CPU cost of one 640x480 30 fps WebRTC session without the effect, in ms per frame: the capacity benchmark
 * (`npm run bench -- capacity`) measured the server process at 27-31 % of a core per session (VP8 decode and
 * encode, handing pictures to and from libwebrtc, copies), i.e. about 10 ms per frame.
 */
export const SESSION_BASE_COST_MS = 10;

/** Share of the CPU live sessions may plan to use; the rest is headroom so running sessions keep their latency. */
const CPU_SHARE = 0.7;

/** Default session limit: as many 30 fps sessions as fit in 70 % of the cores at the effect's cost (at least 1). */
export function defaultMaxSessions(effectCostMs: number, cores = availableParallelism(), fps = 30): number {
  const perFrameMs = SESSION_BASE_COST_MS + Math.max(0, effectCostMs);
  return Math.max(1, Math.floor((cores * CPU_SHARE * 1000) / (fps * perFrameMs)));
}
