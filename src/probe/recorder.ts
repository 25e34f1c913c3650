import type { Frame } from '../core/frame.ts';
import { readFrameId } from '../core/frame-id.ts';
import { BeaconSchedule, brightness } from './beacon.ts';

/** The probe's phases, in order. */
export type ProbePhase = 'warmup' | 'sustain' | 'overload';

/** One frame that came back from the system under test. */
export interface Arrival {
  arrivedNs: number;
  /** Frame id read from the pixels, null when unreadable. */
  id: number | null;
  /** Latency from when the matched frame was due to be sent; null when it could not be matched. */
  latencyMs: number | null;
  via: 'id' | 'beacon' | null;
  /** Phase the matched frame was sent in. */
  phase: ProbePhase | null;
}

/** Luma rise over the running baseline that counts as the beacon flash. */
const FLASH_RISE = 60;

/**
 * Everything the probe sent and got back, matched frame by frame: by the frame-ID code when it survives, otherwise
 * by the beacon flash. Latency counts from when each frame was due to be sent (MLPerf LoadGen's rule).
 */
export class ProbeRecorder {
  readonly arrivals: Arrival[] = [];
  private readonly dueNs: number[] = [];
  private readonly phases: ProbePhase[] = [];
  private readonly seen = new Set<number>();
  private readonly beacon: BeaconSchedule;
  private readonly onsets: number[] = [];
  private nextOnset = 0;
  private baseline = Number.NaN;
  private lit = false;
  private maxId = -1;
  reorders = 0;
  duplicates = 0;

  constructor(beacon: BeaconSchedule) {
    this.beacon = beacon;
  }

  /** Frame `seq` was due to be sent at `dueNs`. */
  markSent(seq: number, dueNs: number, phase: ProbePhase): void {
    this.dueNs[seq] = dueNs;
    this.phases[seq] = phase;
    if (this.beacon.isOnset(seq)) this.onsets.push(seq);
  }

  get sentCount(): number {
    return this.dueNs.length;
  }

  /** Phase of sent frame `seq`. */
  phaseOf(seq: number): ProbePhase | undefined {
    return this.phases[seq];
  }

  /** Due time of sent frame `seq`. */
  dueOf(seq: number): number | undefined {
    return this.dueNs[seq];
  }

  /** Highest frame id that came back so far (-1 when none): frames above it may still be on their way. */
  get maxReceivedId(): number {
    return this.maxId;
  }

  /** True when frame `seq` came back (identified by its code). */
  wasReceived(seq: number): boolean {
    return this.seen.has(seq);
  }

  /** A frame came back at `arrivedNs`. */
  markReceived(frame: Frame, arrivedNs: number): Arrival {
    const raw = readFrameId(frame);
    const id = raw !== null && raw < this.dueNs.length ? raw : null;
    let arrival: Arrival = { arrivedNs, id, latencyMs: null, via: null, phase: null };
    if (id !== null) {
      if (this.seen.has(id)) this.duplicates++;
      else {
        this.seen.add(id);
        if (id < this.maxId) this.reorders++;
        this.maxId = Math.max(this.maxId, id);
        arrival = { ...arrival, latencyMs: (arrivedNs - (this.dueNs[id] as number)) / 1e6, via: 'id', phase: this.phases[id] ?? null };
      }
    }
    const onset = this.flashOnset(brightness(frame));
    if (onset && id === null) {
      const seq = this.matchOnset(arrivedNs);
      if (seq !== null) arrival = { ...arrival, latencyMs: (arrivedNs - (this.dueNs[seq] as number)) / 1e6, via: 'beacon', phase: this.phases[seq] ?? null };
    }
    this.arrivals.push(arrival);
    return arrival;
  }

  /** Track brightness: true on the first bright frame of a flash. */
  private flashOnset(level: number): boolean {
    if (Number.isNaN(this.baseline)) {
      this.baseline = level;
      return false;
    }
    if (!this.lit && level > this.baseline + FLASH_RISE) {
      this.lit = true;
      return true;
    }
    if (this.lit && level < this.baseline + FLASH_RISE / 2) this.lit = false;
    if (!this.lit) this.baseline = this.baseline * 0.9 + level * 0.1;
    return false;
  }

  /** The latest flash sent before `arrivedNs` that is not matched yet (older unmatched ones count as lost). */
  private matchOnset(arrivedNs: number): number | null {
    let match: number | null = null;
    while (this.nextOnset < this.onsets.length && (this.dueNs[this.onsets[this.nextOnset] as number] as number) <= arrivedNs) {
      match = this.onsets[this.nextOnset] as number;
      this.nextOnset++;
    }
    return match;
  }
}
