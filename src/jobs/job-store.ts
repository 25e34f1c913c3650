import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FramewiseError } from '../core/errors.ts';
import { isJobId, type JobRecord } from './job.ts';

/** Where jobs are kept by default: FRAMEWISE_JOBS_DIR, else ~/.local/state/framewise/jobs. */
export function defaultJobsDir(): string {
  return process.env.FRAMEWISE_JOBS_DIR ?? join(homedir(), '.local', 'state', 'framewise', 'jobs');
}

/** A new job id: 20 lower-case base-32 characters, sortable by creation time. */
export function newJobId(now = Date.now()): string {
  const time = now.toString(32).padStart(10, '0');
  const rand = [...randomBytes(10)].map((b) => (b % 32).toString(32)).join('');
  return `${time}${rand}`;
}

/**
 * Jobs on disk, one folder each: `job.json` (the record, replaced atomically by write-then-rename, so a crash
 * leaves the old or the new record, never half of one), the uploaded input, the rendered segments and the result.
 * Every path is built from an id checked by `isJobId`, so nothing from a request names a file of its own.
 */
export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly writes = new Map<string, Promise<void>>();

  private constructor(readonly root: string) {}

  /** Open (creating) the folder and load every job in it. Unreadable records are skipped and named in `skipped`. */
  static async open(root: string): Promise<JobStore> {
    const store = new JobStore(root);
    try {
      await mkdir(root, { recursive: true });
    } catch (err) {
      throw new FramewiseError('invalid-argument', `cannot use "${root}" as the jobs folder: ${(err as Error).message}`, { cause: err });
    }
    await store.reload();
    return store;
  }

  /** Folders whose job.json could not be read at the last load. */
  skipped: string[] = [];

  /** Read every record again (what another process wrote shows up). */
  async reload(): Promise<void> {
    this.skipped = [];
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !isJobId(entry.name)) continue;
      try {
        const record = JSON.parse(await readFile(join(this.dir(entry.name), 'job.json'), 'utf8')) as JobRecord;
        if (record.id === entry.name) this.jobs.set(record.id, record);
        else this.skipped.push(entry.name);
      } catch {
        this.skipped.push(entry.name);
      }
    }
  }

  /** The folder of job `id`. */
  dir(id: string): string {
    if (!isJobId(id)) throw new FramewiseError('invalid-argument', `"${id}" is not a job id`);
    return join(this.root, id);
  }

  /** Where an uploaded input is kept. */
  inputPath(id: string): string {
    return join(this.dir(id), 'input');
  }

  /** Where the rendered segments of a job are kept until they are joined. */
  segmentsDir(id: string): string {
    return join(this.dir(id), 'segments');
  }

  /** Where the finished file is. */
  resultPath(record: JobRecord): string {
    return join(this.dir(record.id), `result.${record.spec.format}`);
  }

  /** Where a highlights job's report (JSON) is. */
  reportPath(id: string): string {
    return join(this.dir(id), 'report.json');
  }

  /** Make the folder of a new job (before its input is written into it). */
  async prepare(id: string): Promise<void> {
    await mkdir(this.dir(id), { recursive: true });
  }

  get(id: string): JobRecord | undefined {
    return isJobId(id) ? this.jobs.get(id) : undefined;
  }

  /** Every job, newest first. */
  list(): JobRecord[] {
    return [...this.jobs.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** Keep `record` in memory only (progress ticks between the saves at segment ends). */
  remember(record: JobRecord): void {
    this.jobs.set(record.id, record);
  }

  /** Keep `record` (memory now, disk in order: writes of one job never overtake each other). */
  save(record: JobRecord): Promise<void> {
    this.jobs.set(record.id, record);
    const snapshot = `${JSON.stringify(record, null, 2)}\n`;
    const previous = this.writes.get(record.id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const dir = this.dir(record.id);
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.job.json.${process.pid}.tmp`);
      await writeFile(tmp, snapshot);
      await rename(tmp, join(dir, 'job.json'));
    });
    const settled = next.catch(() => undefined);
    this.writes.set(record.id, settled);
    void settled.then(() => {
      if (this.writes.get(record.id) === settled) this.writes.delete(record.id);
    });
    return next;
  }

  /** Remove a job's working files (input, segments) but keep its record and result. */
  async removeWork(id: string): Promise<void> {
    await rm(this.segmentsDir(id), { recursive: true, force: true });
    await rm(this.inputPath(id), { force: true });
  }

  /** Remove a job entirely (record, input, segments, result). */
  async remove(id: string): Promise<void> {
    await this.writes.get(id);
    this.jobs.delete(id);
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /** Wait for every pending write. */
  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }
}
