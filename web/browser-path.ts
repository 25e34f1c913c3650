import type { BrowserRuntime } from '../src/browser/web-runtime.ts';
import { createBrowserRuntime } from '../src/browser/web-runtime.ts';
import { PageEffects } from '../src/browser/page-effects.ts';
import type { ProcessingPath } from './processing-path.ts';
import type { PictureSource } from '../src/effects/pictures.ts';

let runtime: Promise<BrowserRuntime> | null = null;

/** The page's runtime, made once (models are fetched from this server and checked against their sha256). */
export function pageRuntime(): Promise<BrowserRuntime> {
  // ?threads=N asks for N WebAssembly threads (when the page is cross-origin isolated).
  const threads = Number(new URLSearchParams(location.search).get('threads'));
  runtime ??= createBrowserRuntime(Number.isInteger(threads) && threads > 0 && threads <= 16 ? { threads } : {});
  runtime.catch(() => (runtime = null));
  return runtime;
}

/** The effect runs in this page (framewise/browser): no frame is sent anywhere. */
export class BrowserPath implements ProcessingPath {
  readonly kind = 'browser' as const;
  readonly label = 'in this page';
  readonly output: MediaStream;
  onLost: ((why: string) => void) | null = null;

  private constructor(
    private readonly effects: PageEffects,
    private readonly runtime: BrowserRuntime,
  ) {
    this.output = new MediaStream([effects.track]);
  }

  /** Run `effect` on `track` in this page; `replace:<picture>` pictures come from `pictures` (the server's backgrounds and uploads). */
  static async start(track: MediaStreamTrack, effect: string, pictures: PictureSource): Promise<BrowserPath> {
    const runtime = await pageRuntime();
    let path: BrowserPath | null = null;
    const effects = await PageEffects.start(track, { runtime, effect, pictures, onEnd: (why) => path?.onLost?.(why) });
    path = new BrowserPath(effects, runtime);
    return path;
  }

  setEffect(spec: string): Promise<void> {
    return this.effects.setEffect(spec);
  }

  /** What runs the models here: provider, threads, and whether the page is cross-origin isolated. */
  engine(): string {
    const r = this.runtime;
    return `${r.providers[0] ?? '?'}, ${r.threads} thread${r.threads === 1 ? '' : 's'}${r.crossOriginIsolated ? ' (isolated)' : ''}`;
  }

  async tick(): Promise<{ pipelineP95Ms: number | null; link: null; engine: string }> {
    const stats = this.effects.stats();
    return { pipelineP95Ms: stats.framesOut > 0 ? stats.latencyMs.p95 : null, link: null, engine: this.engine() };
  }

  /** Stats and modes for automation. */
  details(): {
    stats: ReturnType<PageEffects['stats']>;
    modes: PageEffects['modes'];
    threads: number;
    isolated: boolean;
    providers: readonly string[];
    models: string[];
  } {
    return {
      stats: this.effects.stats(),
      modes: this.effects.modes,
      threads: this.runtime.threads,
      isolated: this.runtime.crossOriginIsolated,
      providers: this.runtime.providers,
      models: [...this.runtime.loaded.keys()],
    };
  }

  stop(): void {
    void this.effects.stop();
  }
}
