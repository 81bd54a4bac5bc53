/**
 * What the evaluation's sections share (eval-cli.ts runs them; each eval-<section>.ts is one, and eval-kit.ts holds
 * what the editing sections share): the context they get, small statistics, and the failure counter every section
 * reports.
 */
import { createHash } from 'node:crypto';
import { isEditorError, type BackendName, type ByteSource } from '../engine/index';
import type { ModelStore } from '../engine/tools';
import { fileByteSource, MODEL_DIR } from './platform';

/** The model folder the evaluation reads: public/models, or LEED_MODELS (eval-cli --models) to measure other presets or weights. */
export function modelSource(): ByteSource {
  return fileByteSource(process.env.LEED_MODELS ?? MODEL_DIR);
}
import type { FaceRow, LandmarkedFace } from './dataset';

/** One face photo of the evaluation folder with its landmarks (only photos the engine could analyse). */
export type EvalFace = LandmarkedFace;

export interface EvalContext {
  dir: string;
  rows: FaceRow[];
  faces: EvalFace[];
  /** Photos of each person, in file order. */
  byPerson: Map<string, EvalFace[]>;
  /** The verified model folder, for sections that use single stages (the disentangler). */
  store: ModelStore;
  /** Backend the editing sections run on (the editor falls back to CPU). */
  backend: BackendName;
}

export interface EvalSection {
  name: string;
  /** Printed text; it ends with the section's failure counts (Failures). */
  run(ctx: EvalContext): Promise<string>;
}

/**
 * The evaluation split: about 15 % of the people (first byte of sha256(person) below 39), chosen by name alone so
 * that every tool agrees. training/make_presets.ts leaves them out; the evaluation's edits use them as sources and
 * references. (The maintainers hold out their own 15 % of people, which this set does not contain.)
 */
export function isEvalPerson(person: string): boolean {
  return createHash('sha256').update(person).digest()[0] < 39;
}

/** Expression names of faces.csv shown in tables, in this order; others are grouped under their own name. */
export const EXPRESSIONS = ['happy', 'surprise', 'anger', 'sad', 'disgust', 'fear', 'contempt'];

export const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1);
export const median = (v: readonly number[]) => {
  if (!v.length) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** The q-quantile of v (the element at floor(q n) of the sorted values); NaN when empty. */
const quantile = (v: readonly number[], q: number) => {
  if (!v.length) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
/** A figure to 1, 2 or 3 decimals, '-' when it is not a number. */
export const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
export const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
export const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
/** "k/n = p %", '-' when n is 0. */
export const pc = (k: number, n: number) => (n ? `${k}/${n} = ${((100 * k) / n).toFixed(0)} %` : '-');
/** "median [p10, p90]" of v, to 1 decimal. */
export const medianRange = (v: readonly number[]) => `${f1(median(v))} [${f1(quantile(v, 0.1))}, ${f1(quantile(v, 0.9))}]`;
export const sd = (v: readonly number[]) => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
};

/** Deterministic spread of `n` items over `list` (every k-th). */
export function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  const step = list.length / n;
  return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]);
}

/**
 * Engine failures of one kind of step in a section (a source photo's analysis, an edit, ...), counted by
 * ErrorCode and printed as "what: n failed: CODE x count, ...". Nothing is dropped: an error that is not
 * an EditorError is a bug of the tool and is thrown on.
 */
export class Failures {
  private readonly counts = new Map<string, number>();
  private attempts = 0;

  constructor(readonly what: string) {}

  /** Runs `fn`; an EditorError is counted and gives undefined. */
  async attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.attempts++;
    try {
      return await fn();
    } catch (e) {
      this.record(e);
      return undefined;
    }
  }

  private record(e: unknown): void {
    if (!isEditorError(e)) throw e;
    this.counts.set(e.code, (this.counts.get(e.code) ?? 0) + 1);
  }

  get failed(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  toString(): string {
    const codes = [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `${code} x ${n}`);
    return `${this.what}: ${this.failed} failed${codes.length ? `: ${codes.join(', ')}` : ''} (of ${this.attempts})`;
  }
}
