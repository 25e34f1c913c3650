import type { Frame } from '../core/frame.ts';
import { readFrameId } from '../core/frame-id.ts';
import type { BeaconSchedule } from './beacon.ts';
import { detectFlashes, type FlashMatchSummary, GRID_COLUMNS, GRID_ROWS, type GridSample, matchFlashes } from './flash-matcher.ts';

/** The probe's phases, in order. */
export type ProbePhase = 'warmup' | 'sustain' | 'overload';

/** One frame that came back from the system under test. */
export interface Arrival {
  arrivedNs: number;
  /** Frame id read from the pixels, null when unreadable. */
  id: number | null;
  /** Latency from when the matched frame was due to be sent; null when it could not be matched. */
  latencyMs: number | null;
  /** `id`: the frame-ID code read from the pixels; `echo`: the id the system echoed with the frame; `beacon`: a flash. */
  via: 'id' | 'echo' | 'beacon' | null;
  /** Phase the matched frame was sent in. */
  phase: ProbePhase | null;
}

/** How returned frames were tied to sent ones, for the report. */
export interface MatchingSummary {
  /** Returned frames whose frame-ID code was read. */
  byCode: number;
  /** Returned frames the system labelled with the id of the frame they answer (a request id it echoes). */
  byEcho: number;
  /** Returned frames that start a beacon flash tied to a sent flash (used where no code was readable). */
  byFlash: FlashMatchSummary;
  /** Flashes whose start frame also carried a readable code: beacon latency minus code latency, ms (p50, max |d|). */
  flashVsCode: { count: number; medianMs: number; maxAbsMs: number } | null;
}

/** How frames were matched, in one line. */
export function describeMatching(m: MatchingSummary): string {
  const f = m.byFlash;
  const flashes = `beacon flashes by whole-picture change: ${f.detected} found, ${f.matched} tied to the ${f.sent} sent (confidence ${(f.confidence * 100).toFixed(0)} %${f.alternative > 0 ? `, next-best alignment ${f.alternative}` : ''})`;
  const agreement = m.flashVsCode
    ? `; flash vs code latency on the same frames: median ${m.flashVsCode.medianMs} ms, max ${m.flashVsCode.maxAbsMs} ms over ${m.flashVsCode.count}`
    : '';
  return `${m.byCode} frames by frame-ID code${m.byEcho > 0 ? `, ${m.byEcho} by the request id the API echoed` : ''}; ${flashes}${agreement}`;
}

/**
 * Everything the probe sent and got back, matched frame by frame: by the frame-ID code when it survives, otherwise
 * by the beacon flashes, found after the run as pulses of whole-picture change and tied to the flashes sent (see
 * flash-matcher.ts). Latency counts from when each frame was due to be sent (MLPerf LoadGen's rule).
 */
export class ProbeRecorder {
  readonly arrivals: Arrival[] = [];
  private readonly dueNs: number[] = [];
  private readonly phases: ProbePhase[] = [];
  private readonly seen = new Set<number>();
  private readonly beacon: BeaconSchedule;
  private readonly onsets: number[] = [];
  private readonly grids: GridSample[] = [];
  private maxId = -1;
  reorders = 0;
  duplicates = 0;
  /** Filled by `finish()`. */
  matching: MatchingSummary | null = null;

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

  /** A frame came back at `arrivedNs` (with the id the system echoed for it, if it did). */
  markReceived(frame: Frame, arrivedNs: number, echoedId?: number): Arrival {
    const raw = echoedId ?? readFrameId(frame);
    const id = raw !== null && Number.isInteger(raw) && raw >= 0 && raw < this.dueNs.length ? raw : null;
    let arrival: Arrival = { arrivedNs, id, latencyMs: null, via: null, phase: null };
    if (id !== null) {
      if (this.seen.has(id)) this.duplicates++;
      else {
        this.seen.add(id);
        if (id < this.maxId) this.reorders++;
        this.maxId = Math.max(this.maxId, id);
        arrival = {
          ...arrival,
          latencyMs: (arrivedNs - (this.dueNs[id] as number)) / 1e6,
          via: echoedId === undefined ? 'id' : 'echo',
          phase: this.phases[id] ?? null,
        };
      }
    }
    this.arrivals.push(arrival);
    this.grids.push({ arrivedNs, cells: lumaGrid(frame) });
    return arrival;
  }

  /**
   * After the run: find the beacon flashes in what came back, tie them to the flashes sent, and give the frames that
   * start them (when no code was read from them) their latency. Safe to call twice.
   */
  finish(): MatchingSummary {
    if (this.matching) return this.matching;
    const sent = this.onsets.map((seq) => ({ seq, dueNs: this.dueNs[seq] as number }));
    const { matches, summary } = matchFlashes(detectFlashes(this.grids), sent);
    const differences: number[] = [];
    for (const m of matches) {
      const arrival = this.arrivals[m.index] as Arrival;
      if ((arrival.via === 'id' || arrival.via === 'echo') && arrival.latencyMs !== null) differences.push(m.latencyMs - arrival.latencyMs);
      else if (arrival.id === null) this.arrivals[m.index] = { ...arrival, latencyMs: m.latencyMs, via: 'beacon', phase: this.phases[m.sentSeq] ?? null };
    }
    differences.sort((a, b) => a - b);
    this.matching = {
      byCode: this.arrivals.filter((a) => a.via === 'id').length,
      byEcho: this.arrivals.filter((a) => a.via === 'echo').length,
      byFlash: summary,
      flashVsCode:
        differences.length > 0
          ? {
              count: differences.length,
              medianMs: Math.round((differences[Math.floor(differences.length / 2)] as number) * 100) / 100,
              maxAbsMs: Math.round(Math.max(...differences.map(Math.abs)) * 100) / 100,
            }
          : null,
    };
    this.grids.length = 0;
    return this.matching;
  }
}

/** Mean luma of a coarse grid over the whole picture (the code band included: a restyle moves or wipes it alike). */
function lumaGrid(frame: Frame): Float32Array {
  const cells = new Float32Array(GRID_COLUMNS * GRID_ROWS);
  const p = frame.planes[0] as Uint8Array;
  const stride = frame.strides[0] as number;
  const bpp = frame.format === 'rgba' ? 4 : frame.format === 'rgb24' ? 3 : 1;
  const stepX = Math.max(1, Math.floor(frame.width / (GRID_COLUMNS * 6)));
  const stepY = Math.max(1, Math.floor(frame.height / (GRID_ROWS * 6)));
  const counts = new Uint32Array(cells.length);
  for (let y = 0; y < frame.height; y += stepY) {
    const row = Math.min(GRID_ROWS - 1, Math.floor((y * GRID_ROWS) / frame.height));
    for (let x = 0; x < frame.width; x += stepX) {
      const o = y * stride + x * bpp;
      const luma = bpp === 1 ? (p[o] as number) : ((p[o] as number) * 77 + (p[o + 1] as number) * 150 + (p[o + 2] as number) * 29) >> 8;
      const cell = row * GRID_COLUMNS + Math.min(GRID_COLUMNS - 1, Math.floor((x * GRID_COLUMNS) / frame.width));
      cells[cell] = (cells[cell] as number) + luma;
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let i = 0; i < cells.length; i++) cells[i] = (cells[i] as number) / Math.max(1, counts[i] as number);
  return cells;
}
