/**
 * Presets as recipes of action units: each preset's stored displacement (the mean of strong real expressions of the
 * news photos, presets.json) with the units of its FACS prototype set to the strengths people read. The news photos'
 * expressions are mild and their brows and lids barely move, so the stored displacements alone read as neutral for
 * everything but a smile; the units carry what the prototype says the face does.
 *
 *   sadness 1+4+15+17 (+20), anger bared teeth 4+5+7+10, surprise 1+2+5+26, fear 1+2+4+5+20+26,
 *   disgust 9+10+15+17
 *
 * Sadness and anger are strong: the emotion model reads grief mainly in the raised inner brows with the corners and
 * chin pulled down, and anger in the bared teeth under lowered brows; anger with pressed lips (4+5+7+24) read as
 * neutral on a third of faces, as a pressed mouth is also how many people look at rest. Anger keeps the teeth
 * together (lips_part 0): parted, at intensity 1.5 a smiling photo's own teeth split along a dark, ragged gap.
 *
 * Happy (6+12) keeps its stored displacement alone: it reads as happy as real smiles do.
 */
import type { PresetName } from './target';
import type { UnitValues } from './unit-table';

export const PRESET_RECIPES: Partial<Record<PresetName, UnitValues>> = {
  sadness: { inner_brow_raise: 1.5, brow_lower: 0.8, lip_corner_depress: 1.5, chin_raise: 1.5, lip_stretch: 0.5 },
  // lip_press 0: the stored displacement's pressed lips would cover the teeth
  anger: { brow_lower: 1.5, upper_lid_raise: 1, lid_tighten: 0.5, upper_lip_raise: 1.2, lips_part: 0, lip_press: 0 },
  surprise: { inner_brow_raise: 1, outer_brow_raise: 1, upper_lid_raise: 1, jaw_drop: 0.8 },
  fear: { inner_brow_raise: 1, outer_brow_raise: 0.6, brow_lower: 0.5, upper_lid_raise: 1, lip_stretch: 1, jaw_drop: 0.4 },
  disgust: { nose_wrinkle: 1, upper_lip_raise: 1, lip_corner_depress: 0.6, chin_raise: 0.5 },
};
