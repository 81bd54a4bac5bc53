/**
 * Worker side of expression editing: loads the disentangler, the presets and the refiner from the
 * editor's model store, and turns (face, reference, a, regions) into target image landmarks.
 * A part whose model file the build does not ship (not in public/models/manifest.json) is reported
 * as absent and the UI disables it; any failure to load a shipped file is an error.
 */
import { createDisentangler, DISENTANGLER_PATH, type Disentangler } from '../engine/expression/disentangle';
import type { Editor, FaceAnalysis } from '../engine/analyse/analyser';
import { EditorError, ErrorCode } from '../engine/errors';
import { fromCanonical } from '../engine/analyse/manifold';
import { createRefiner, REFINER_PATH, type Refiner } from '../engine/render/refine';
import { loadPresets, PRESETS_PATH, REGIONS, retarget, targetCanonical, type Presets, type RegionMask } from '../engine/expression/target';
import type { Point3 } from '../engine/types';
import type { ReferenceChoice } from './protocol';

export interface ExpressionEngine {
  readonly regions: readonly string[];
  readonly presets: readonly string[];
  /** Target landmarks in the source photo's pixels. */
  target(face: FaceAnalysis, reference: ReferenceChoice, referenceFace: FaceAnalysis | null, a: number, regions?: readonly string[]): Promise<Point3[]>;
  dispose(): void;
}

/** Which model files this build ships: the keys of public/models/manifest.json. */
export async function shippedModels(modelBaseUrl: string): Promise<Set<string>> {
  const base = modelBaseUrl.endsWith('/') ? modelBaseUrl : `${modelBaseUrl}/`;
  const res = await fetch(`${base}manifest.json`);
  if (!res.ok) throw new EditorError(ErrorCode.MODEL_LOAD, `manifest.json: HTTP ${res.status}`);
  const manifest = (await res.json()) as { files?: Record<string, string> };
  return new Set(Object.keys(manifest.files ?? {}));
}

export async function loadRefiner(editor: Editor, shipped: Set<string>): Promise<Refiner | null> {
  return shipped.has(REFINER_PATH) ? createRefiner(editor.store) : null;
}

/** null while the build ships no disentangler; presets are used when they are shipped. */
export async function createExpressionEngine(editor: Editor, shipped: Set<string>): Promise<ExpressionEngine | null> {
  if (!shipped.has(DISENTANGLER_PATH)) return null;
  const disentangler: Disentangler = await createDisentangler(editor.store);
  let presets: Presets | null = null;
  try {
    if (shipped.has(PRESETS_PATH)) presets = await loadPresets(editor.store);
  } catch (e) {
    disentangler.dispose();
    throw e;
  }

  // N(x) and fitted displacements are the same for every slider position: computed once per face / reference.
  const neutrals = new WeakMap<FaceAnalysis, Promise<Point3[]>>();
  const neutralOf = (f: FaceAnalysis) => {
    let p = neutrals.get(f);
    if (!p) { p = disentangler.neutral(f.canonical.points); neutrals.set(f, p); }
    return p;
  };
  const fittedCache = new WeakMap<FaceAnalysis, Map<string, Promise<Point3[] | null>>>();

  async function fitted(face: FaceAnalysis, ref: ReferenceChoice, refFace: FaceAnalysis | null): Promise<Point3[] | null> {
    if (ref.kind === 'neutral') return null;
    const key = ref.kind === 'preset' ? `preset:${ref.preset}` : `photo:${ref.name}`;
    let m = fittedCache.get(face);
    if (!m) { m = new Map(); fittedCache.set(face, m); }
    if (ref.kind === 'photo') m.delete(key); // the reference photo can change under the same name
    let p = m.get(key);
    if (!p) {
      p = (async () => {
        const srcN = await neutralOf(face);
        if (ref.kind === 'preset') {
          if (!presets) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'this build has no expression presets');
          return presets.fitted(ref.preset, srcN);
        }
        if (!refFace) throw new EditorError(ErrorCode.BAD_ARGUMENT, 'choose a reference photo first');
        const refN = await neutralOf(refFace);
        const dRef = refFace.canonical.points.map((x, i) => [x[0] - refN[i][0], x[1] - refN[i][1], x[2] - refN[i][2]] as Point3);
        return retarget(dRef, refN, srcN);
      })();
      m.set(key, p);
      p.catch(() => m!.delete(key));
    }
    return p;
  }

  return {
    regions: REGIONS,
    presets: presets?.names ?? [],
    async target(face, reference, referenceFace, a, regions) {
      const [srcN, d] = await Promise.all([neutralOf(face), fitted(face, reference, referenceFace)]);
      let mask: RegionMask | undefined;
      if (regions) {
        mask = { rest: 1 };
        for (const r of REGIONS) mask[r] = regions.includes(r) ? 1 : 0;
      }
      const canonical = targetCanonical(face.canonical.points, srcN, d, a, mask);
      return fromCanonical(canonical, face.canonical.transform);
    },
    dispose: () => disentangler.dispose(),
  };
}
