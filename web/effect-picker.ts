/** One effect as the server's GET /effects describes it. */
export interface EffectInfo {
  name: string;
  usage: string;
  summary: string;
  argument: { name: string; required: boolean; help: string } | null;
}

/** What the picker needs from the page: its controls and how to reach the server. */
export interface PickerControls {
  effect: HTMLSelectElement;
  /** Free-text argument for effects other than replace (blur radius, delay ms, pose variant...). */
  argText: HTMLInputElement;
  argTextLabel: HTMLElement;
  /** The replace effect's background: a colour, one of the server's pictures, or an upload. */
  replaceBox: HTMLElement;
  bgKind: HTMLSelectElement;
  bgColour: HTMLInputElement;
  bgPicture: HTMLSelectElement;
  bgFile: HTMLInputElement;
}

/**
 * The effect picker: every effect the server lists, each with the control its argument needs, turned into the effect
 * spec the server takes ("blur:16", "replace:#00b140", "replace:upload:<id>").
 */
export class EffectPicker {
  private effects: EffectInfo[] = [];
  /** Called when the chosen effect or its argument changes. */
  onChange: (spec: string) => void = () => undefined;

  constructor(
    private readonly ui: PickerControls,
    private readonly request: (path: string, init?: RequestInit) => Promise<Response>,
    private readonly onError: (message: string) => void,
  ) {
    ui.effect.addEventListener('change', () => {
      this.showArgument();
      this.changed();
    });
    ui.argText.addEventListener('change', () => this.changed());
    ui.bgKind.addEventListener('change', () => {
      this.showBackgroundKind();
      this.changed();
    });
    ui.bgColour.addEventListener('change', () => this.changed());
    ui.bgPicture.addEventListener('change', () => this.changed());
    ui.bgFile.addEventListener('change', () => void this.upload());
  }

  /** Load the effect list and the server's backgrounds; preselect `wanted` ("name" or "name:arg"). */
  async load(wanted: string | null): Promise<void> {
    const response = await this.request('/effects');
    if (!response.ok) throw new Error(`the server did not list its effects (${response.status}): ${(await response.text()).trim()}`);
    const { default: fallback, effects } = (await response.json()) as { default: string; effects: EffectInfo[] };
    this.effects = effects;
    for (const effect of effects) {
      const option = new Option(effect.name, effect.name);
      option.title = `${effect.usage}: ${effect.summary}`;
      this.ui.effect.add(option);
    }
    const backgrounds = await this.request('/backgrounds');
    if (backgrounds.ok) {
      for (const name of ((await backgrounds.json()) as { backgrounds: string[] }).backgrounds) this.ui.bgPicture.add(new Option(name, name));
    }
    this.select(wanted ?? fallback);
  }

  /** Show `spec` in the controls. */
  select(spec: string): void {
    const colon = spec.indexOf(':');
    const name = colon < 0 ? spec : spec.slice(0, colon);
    const arg = colon < 0 ? '' : spec.slice(colon + 1);
    if (!this.effects.some((e) => e.name === name)) return;
    this.ui.effect.value = name;
    this.showArgument();
    if (name === 'replace') {
      if (/^#?[0-9a-f]{6}$/i.test(arg)) {
        this.ui.bgKind.value = 'colour';
        this.ui.bgColour.value = arg.startsWith('#') ? arg : `#${arg}`;
      } else if (arg !== '') {
        if (![...this.ui.bgPicture.options].some((o) => o.value === arg)) this.ui.bgPicture.add(new Option(arg, arg));
        this.ui.bgKind.value = 'picture';
        this.ui.bgPicture.value = arg;
      }
      this.showBackgroundKind();
    } else this.ui.argText.value = arg;
  }

  /** The effect spec the controls describe. */
  spec(): string {
    const name = this.ui.effect.value;
    if (name === 'replace') {
      const value = this.ui.bgKind.value === 'colour' ? this.ui.bgColour.value : this.ui.bgPicture.value;
      return value ? `replace:${value}` : 'replace:#00b140';
    }
    const arg = this.ui.argText.value.trim();
    return arg ? `${name}:${arg}` : name;
  }

  private changed(): void {
    this.onChange(this.spec());
  }

  private showArgument(): void {
    const effect = this.effects.find((e) => e.name === this.ui.effect.value);
    const replace = effect?.name === 'replace';
    this.ui.replaceBox.hidden = !replace;
    const argument = replace ? null : (effect?.argument ?? null);
    this.ui.argTextLabel.hidden = argument === null;
    this.ui.argText.value = '';
    this.ui.argText.placeholder = argument ? argument.name + (argument.required ? '' : ' (optional)') : '';
    this.ui.argText.title = argument?.help ?? '';
    this.ui.argText.required = argument?.required ?? false;
    if (effect?.name === 'delay') this.ui.argText.value = '50';
  }

  private showBackgroundKind(): void {
    const kind = this.ui.bgKind.value;
    this.ui.bgColour.hidden = kind !== 'colour';
    this.ui.bgPicture.hidden = kind !== 'picture';
    this.ui.bgFile.hidden = kind !== 'upload';
  }

  /** Upload the chosen picture; it becomes a background only this page knows the name of. */
  private async upload(): Promise<void> {
    const file = this.ui.bgFile.files?.[0];
    if (!file) return;
    const response = await this.request('/backgrounds', { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file });
    if (!response.ok) {
      this.onError(`the picture was not accepted: ${(await response.text()).trim()}`);
      return;
    }
    const { name } = (await response.json()) as { name: string };
    this.ui.bgPicture.add(new Option(`${file.name} (uploaded)`, name));
    this.ui.bgPicture.value = name;
    this.ui.bgKind.value = 'picture';
    this.showBackgroundKind();
    this.changed();
  }
}
