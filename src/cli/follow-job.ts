import type { JobRecord } from '../jobs/job.ts';
import type { JobClient } from '../jobs/job-client.ts';
import type { ProgressLine } from './progress-line.ts';
import { onStopSignal } from './signals.ts';

/** Follow a submitted job to its end with progress on stderr; Ctrl-C (or SIGTERM) cancels it on the server once. */
export async function followJob(client: JobClient, job: JobRecord, server: string, progress: ProgressLine): Promise<JobRecord> {
  progress.note(`framewise: ${job.spec.kind === 'highlights' ? 'highlights ' : ''}job ${job.id} queued on ${server}`);
  let cancelling = false;
  const stop = onStopSignal(() => {
    if (cancelling) return;
    cancelling = true;
    progress.note(`framewise: cancelling job ${job.id}`);
    void client.cancel(job.id).catch(() => undefined);
  });
  try {
    return await client.wait(job.id, (j) => progress.show(j));
  } finally {
    stop();
    progress.done();
  }
}
