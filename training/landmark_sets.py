"""MediaPipe FaceMesh (468) index sets, read from src/engine/landmark-sets.json: the one copy, shared with the
TypeScript engine (src/engine/landmark-sets.ts). Standard library only (no torch), so that

  python3 training/landmark_sets.py

checks the file and prints the sets as this module reads them (JSON); tests/landmark-sets.test.ts runs it and
compares with the TypeScript exports.
"""
import json
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'src', 'engine', 'landmark-sets.json')

with open(PATH) as _f:
    SETS = json.load(_f)


def split_ring(ring, corner):
    """A ring [c0] + upper + [corner] + lower[::-1] -> (upper, lower), both running from c0's side to corner's."""
    k = ring.index(corner)
    return ring[1:k], ring[k + 1:][::-1]


# Points expressions barely move: the Procrustes fit (src/engine/analyse/manifold.ts STABLE_POINTS).
STABLE_POINTS = SETS['stablePoints']
_EYE = SETS['eyeCorners']
# The subject's right eye [outer, inner], left eye [inner, outer] (manifold.ts RIGHT_EYE, LEFT_EYE).
R_EYE_CORNERS = [_EYE['rightOuter'], _EYE['rightInner']]
L_EYE_CORNERS = [_EYE['leftInner'], _EYE['leftOuter']]
MOUTH_CORNERS_INNER = SETS['mouthCorners']['inner']
MOUTH_CORNERS_OUTER = SETS['mouthCorners']['outer']
# The inside of the mouth: inner lip contour, corner to corner over the upper lip and back under the lower
# (src/engine/render/mouth-mask.ts INNER_MOUTH_RING).
INNER_MOUTH_RING = SETS['innerMouthRing']
LIPS_OUTER = SETS['outerLipRing']
R_EYE_RING = SETS['rightEyeRing']
L_EYE_RING = SETS['leftEyeRing']
R_EYE_CREASE = SETS['rightEyeCrease']
L_EYE_CREASE = SETS['leftEyeCrease']
FACE_OVAL = SETS['faceOval']
# target.ts parts: dicts with region, anchors, x, y, z.
REGION_PARTS = SETS['regionParts']

INNER_UPPER, INNER_LOWER = split_ring(INNER_MOUTH_RING, MOUTH_CORNERS_INNER[1])
R_EYE_UPPER, R_EYE_LOWER = split_ring(R_EYE_RING, _EYE['rightInner'])
L_EYE_UPPER, L_EYE_LOWER = split_ring(L_EYE_RING, _EYE['leftInner'])

EXPORTS = ['STABLE_POINTS', 'R_EYE_CORNERS', 'L_EYE_CORNERS', 'MOUTH_CORNERS_INNER', 'MOUTH_CORNERS_OUTER',
           'INNER_MOUTH_RING', 'LIPS_OUTER', 'R_EYE_RING', 'L_EYE_RING', 'R_EYE_CREASE', 'L_EYE_CREASE', 'FACE_OVAL',
           'REGION_PARTS', 'INNER_UPPER', 'INNER_LOWER', 'R_EYE_UPPER', 'R_EYE_LOWER', 'L_EYE_UPPER', 'L_EYE_LOWER']


def check():
    """Problems with the sets as read (empty list when none): indices 0..467, no duplicates, rings from their corners."""
    bad = []
    g = globals()
    for name in EXPORTS:
        sets = [p['anchors'] for p in g[name]] if name == 'REGION_PARTS' else [g[name]]
        for s in sets:
            if not all(isinstance(i, int) and 0 <= i < 468 for i in s):
                bad.append(f'{name}: index outside 0..467')
            if len(set(s)) != len(s):
                bad.append(f'{name}: duplicate index')
    for ring, (c0, c1), upper, lower in ((INNER_MOUTH_RING, MOUTH_CORNERS_INNER, INNER_UPPER, INNER_LOWER),
                                         (R_EYE_RING, R_EYE_CORNERS, R_EYE_UPPER, R_EYE_LOWER),
                                         (L_EYE_RING, L_EYE_CORNERS[::-1], L_EYE_UPPER, L_EYE_LOWER)):
        if ring[0] != c0 or [c0] + upper + [c1] + lower[::-1] != ring or len(upper) != len(lower):
            bad.append(f'ring from {c0} to {c1}: not [corner] + upper + [corner] + lower reversed with equal halves')
    if len(R_EYE_CREASE) != len(R_EYE_UPPER) or len(L_EYE_CREASE) != len(L_EYE_UPPER):
        bad.append('eye creases: not one point per upper-lid point')
    return bad


if __name__ == '__main__':
    problems = check()
    if problems:
        print('\n'.join(problems), file=sys.stderr)
        sys.exit(1)
    print(json.dumps({name: globals()[name] for name in EXPORTS}))
