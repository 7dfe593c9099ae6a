import { InvalidRequestError } from '../errors.js';

/** The code schemes this module parses; each names itself in error messages. */
export type CodeScheme = 'admin' | 'unit-grid' | 'social-grid' | 'component' | 'component-class' | 'grid';

const schemeLabels: Record<CodeScheme, string> = {
  admin: 'division code',
  'unit-grid': 'unit grid code',
  'social-grid': 'social grid code',
  component: 'component code',
  'component-class': 'component class',
  grid: 'grid code',
};

// inputs reach messages and HTTP problem details, so long or odd ones are cut and quoted
const maxShownChars = 40;

/** A code that breaks its scheme; `part` names the piece that is wrong, `reason` says why. */
export class CodeError extends InvalidRequestError {
  readonly scheme: CodeScheme;
  readonly part: string;
  readonly reason: string;
  readonly input: string;

  /** @example new CodeError('unit-grid', '110101001001000', 'serial', 'serial "000" must be 001–999') */
  constructor(scheme: CodeScheme, input: unknown, part: string, reason: string) {
    const shown = showInput(input);
    super(`${schemeLabels[scheme]} ${shown}: ${reason}`);
    this.scheme = scheme;
    this.part = part;
    this.reason = reason;
    this.input = typeof input === 'string' ? input : String(input);
  }
}

/** Raises a CodeError for one part; schemes share part checks by passing this around. */
export type Fail = (part: string, reason: string) => never;

/** A `Fail` that reports against `input` under `scheme`. */
export function failFor(scheme: CodeScheme, input: unknown): Fail {
  return (part, reason) => {
    throw new CodeError(scheme, input, part, reason);
  };
}

/** The input as it appears in a message: bare when plain, else JSON-quoted and cut at 40 chars. */
export function showInput(input: unknown): string {
  if (typeof input !== 'string') return `(${typeof input})`;
  const chars = [...input];
  if (chars.length > 0 && chars.length <= maxShownChars && /^[0-9A-Za-z-]+$/.test(input)) return input;
  if (chars.length <= maxShownChars) return JSON.stringify(input);
  return `${JSON.stringify(chars.slice(0, maxShownChars).join(''))}… (${chars.length} characters)`;
}
