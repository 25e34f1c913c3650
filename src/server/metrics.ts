import type { DropReason } from '../core/stats.ts';
import type { SessionRegistry } from './session-registry.ts';
import { Exposition } from './prometheus.ts';

const DROP_REASONS: readonly DropReason[] = ['deadline', 'superseded', 'stage-error', 'filtered', 'stopped'];

/** Everything `/metrics` exposes, in Prometheus text format. */
export function renderMetrics(registry: SessionRegistry): string {
  const out = new Exposition();
  const sessions = registry.all();
  out.family('framewise_sessions', 'gauge', 'Live sessions running now.').sample('framewise_sessions', {}, sessions.length);
  out.family('framewise_sessions_max', 'gauge', 'Session limit (admission control).').sample('framewise_sessions_max', {}, registry.maxSessions);
  out.family('framewise_sessions_started_total', 'counter', 'Sessions ever started.').sample('framewise_sessions_started_total', {}, registry.started);
  out.family('framewise_sessions_rejected_total', 'counter', 'Offers refused with 503 because the server was full.');
  out.sample('framewise_sessions_rejected_total', {}, registry.rejected);
  const infos = sessions.map((s) => ({ session: s, info: s.info() }));
  out.family('framewise_session_frames_in_total', 'counter', 'Frames received from the publisher.');
  for (const { info } of infos) out.sample('framewise_session_frames_in_total', { session: info.id }, info.stats.framesIn);
  out.family('framewise_session_frames_out_total', 'counter', 'Processed frames sent back.');
  for (const { info } of infos) out.sample('framewise_session_frames_out_total', { session: info.id }, info.stats.framesOut);
  out.family('framewise_session_fps', 'gauge', 'Output frames per second over the last full second.');
  for (const { info } of infos) out.sample('framewise_session_fps', { session: info.id }, info.stats.windows.at(-1)?.fps ?? 0);
  out.family('framewise_session_drops_total', 'counter', 'Frames dropped, by reason.');
  for (const { info } of infos) {
    for (const reason of DROP_REASONS) out.sample('framewise_session_drops_total', { session: info.id, reason }, info.stats.dropsByReason[reason] ?? 0);
  }
  out.family('framewise_session_viewers', 'gauge', 'WHEP viewers of the session.');
  for (const { info } of infos) out.sample('framewise_session_viewers', { session: info.id }, info.viewers);
  out.family('framewise_pipeline_latency_seconds', 'histogram', 'Server latency per frame: picture decoded -> processed picture handed to the encoder.');
  for (const { session } of infos) out.histogram('framewise_pipeline_latency_seconds', { session: session.id }, session.latency);
  out.family('framewise_glass_to_glass_seconds', 'histogram', 'Glass-to-glass latency measured by the publishing page (frame-ID code sent -> seen back).');
  for (const { session } of infos) out.histogram('framewise_glass_to_glass_seconds', { session: session.id }, session.glassToGlass);
  return out.toString();
}
