/** The action units' names, groups and ranges (units.ts has what they are and how they combine). */
export const UNIT_GROUPS = ['brows', 'eyes', 'cheeks', 'mouth', 'jaw'] as const;
export type UnitGroup = (typeof UNIT_GROUPS)[number];

export interface UnitInfo {
  /** FACS number (AU1...). */
  facs: number;
  /** Short words for a slider. */
  label: string;
  group: UnitGroup;
  min: number;
  max: number;
  /** A unit of one side of the face (subject's left or right); its mirror image is the other side's unit. */
  side?: 'left' | 'right';
  /**
   * The renderer draws it, the mesh barely shows it (gaze: the 468-point mesh has no iris), so a reference's
   * landmarks are not decomposed into it: it is 0 unless asked for.
   */
  drawn?: true;
}

/** The units, in the order of the Adjust panel. Names are stable: saved expressions and the CLI use them. */
export const UNITS = {
  inner_brow_raise: { facs: 1, label: 'Inner brows up', group: 'brows', min: 0, max: 1.5 },
  outer_brow_raise: { facs: 2, label: 'Outer brows up', group: 'brows', min: 0, max: 1.5 },
  brow_lower: { facs: 4, label: 'Brows down and together', group: 'brows', min: 0, max: 1.5 },
  upper_lid_raise: { facs: 5, label: 'Eyes wide', group: 'eyes', min: 0, max: 1.5 },
  lid_tighten: { facs: 7, label: 'Lids tight', group: 'eyes', min: 0, max: 1.5 },
  gaze_x: { facs: 61, label: 'Gaze to the side', group: 'eyes', min: -1, max: 1, drawn: true },
  gaze_y: { facs: 64, label: 'Gaze down', group: 'eyes', min: -1, max: 1, drawn: true },
  blink_right: { facs: 46, label: 'Right eye closed', group: 'eyes', min: 0, max: 1, side: 'right' },
  blink_left: { facs: 46, label: 'Left eye closed', group: 'eyes', min: 0, max: 1, side: 'left' },
  cheek_raise: { facs: 6, label: 'Cheeks up', group: 'cheeks', min: 0, max: 1.5 },
  nose_wrinkle: { facs: 9, label: 'Nose wrinkle', group: 'cheeks', min: 0, max: 1.5 },
  upper_lip_raise: { facs: 10, label: 'Upper lip up', group: 'mouth', min: 0, max: 1.5 },
  lip_corner_pull: { facs: 12, label: 'Smile', group: 'mouth', min: -1, max: 1.5 },
  lip_corner_depress: { facs: 15, label: 'Corners down', group: 'mouth', min: 0, max: 1.5 },
  pucker: { facs: 18, label: 'Pucker', group: 'mouth', min: 0, max: 1.5 },
  lip_stretch: { facs: 20, label: 'Lips stretched', group: 'mouth', min: 0, max: 1.5 },
  funnel: { facs: 22, label: 'Lips funnel', group: 'mouth', min: 0, max: 1.5 },
  lip_press: { facs: 24, label: 'Lips pressed', group: 'mouth', min: 0, max: 1.5 },
  lips_part: { facs: 25, label: 'Lips apart', group: 'mouth', min: 0, max: 1.5 },
  chin_raise: { facs: 17, label: 'Chin up', group: 'jaw', min: 0, max: 1.5 },
  jaw_drop: { facs: 26, label: 'Jaw drop', group: 'jaw', min: 0, max: 1.5 },
} as const satisfies Record<string, UnitInfo>;

export type UnitName = keyof typeof UNITS;
export const UNIT_NAMES = Object.keys(UNITS) as UnitName[];
/** Values per unit; a unit left out is 0. */
export type UnitValues = Partial<Record<UnitName, number>>;

/** `v` held within unit `u`'s range. */
export const clampUnit = (u: UnitName, v: number): number => Math.min(UNITS[u].max, Math.max(UNITS[u].min, v));

/** A name as the CLI or a file may give it ("au4", "AU12", "brow_lower", "brow-lower") → the unit, or undefined. */
export function unitByName(name: string): UnitName | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, '_');
  if (n in UNITS) return n as UnitName;
  const au = /^au(\d+)$/.exec(n);
  if (!au) return undefined;
  const matches = UNIT_NAMES.filter((u) => UNITS[u].facs === Number(au[1]));
  return matches.length === 1 ? matches[0] : undefined;
}
