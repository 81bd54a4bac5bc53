"""How dark the inside of an open mouth is, against the lips: on real photos, or on renders of the app.

The painted inside of a mouth opened from closed lips (src/engine/render/mouth-cavity.ts DEPTH) and how much of the
upper teeth an "O" shows (mouth-interior.ts UPPER_HIDDEN) were set against these figures: real surprised photos of
the colour set, beside the surprise preset rendered on neutral photos of it.

  python3 training/mouth_interior_stats.py <landmarks.jsonl> <image folder> [image list] [--open GAP]

<landmarks.jsonl> as `npm run landmarks` writes it (the image-space `points`), <image folder> the images it names,
[image list] a file of image names to keep (whitespace-separated; default all). For every face whose mouth is open
(inner lip gap at least 0.12 of the eyes' distance, or GAP), the luminance of each pixel inside the inner mouth ring over
the median luminance of the lips (between the outer and inner rings): its 10th, 50th and 90th percentiles, the share
under 0.2 (dark) and over 0.9 (teeth); medians and quartiles over the faces are printed. Reads images through
ImageMagick's `convert`; numpy only.

A render of the preset on 40 neutral sources, for the comparison (docs/results.md):
  npm run edit -- <folder of neutral photos> --preset surprise --out <dir>/images
  (a faces.csv of person,image,expression in <dir>) npm run landmarks -- <dir> <dir>/lm.jsonl
  python3 training/mouth_interior_stats.py <dir>/lm.jsonl <dir>/images
"""
import base64
import json
import subprocess
import sys

import numpy as np

from landmark_sets import INNER_MOUTH_RING, LIPS_OUTER

OPEN = 0.12
LUMA = np.array([0.299, 0.587, 0.114])


def inside(poly, w, h):
    """Pixel centres inside the closed polygon (even-odd rule)."""
    ys, xs = np.mgrid[0:h, 0:w] + 0.5
    res = np.zeros((h, w), bool)
    for i in range(len(poly)):
        (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % len(poly)]
        res ^= ((y0 > ys) != (y1 > ys)) & (xs < (x1 - x0) * (ys - y0) / (y1 - y0 + 1e-9) + x0)
    return res


def load(path):
    w, h = map(int, subprocess.run(['identify', '-format', '%w %h', path], capture_output=True, text=True, check=True).stdout.split())
    raw = subprocess.run(['convert', path, '-depth', '8', 'rgb:-'], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3).astype(float)


def mouth_stats(img, pts):
    iod = np.linalg.norm(pts[33, :2] - pts[263, :2])
    if (pts[14, 1] - pts[13, 1]) / iod < OPEN:
        return None
    h, w, _ = img.shape
    mi = inside(pts[INNER_MOUTH_RING, :2], w, h)
    lips = inside(pts[LIPS_OUTER, :2], w, h) & ~mi
    if mi.sum() < 30 or lips.sum() < 30:
        return None
    y = img @ LUMA
    v = y[mi] / np.median(y[lips])
    # sharpness: mean |Laplacian| of luminance (4-neighbour) inside, raw and over the lips'
    lap = np.zeros_like(y)
    lap[1:-1, 1:-1] = np.abs(4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:])
    return {'p10': np.percentile(v, 10), 'p50': np.percentile(v, 50), 'p90': np.percentile(v, 90),
            'dark': (v < 0.2).mean(), 'teeth': (v > 0.9).mean(),
            'sharp': lap[mi].mean(), 'sharp/lips': lap[mi].mean() / max(lap[lips].mean(), 1e-6)}


def main():
    global OPEN
    args = sys.argv[1:]
    if '--open' in args:
        i = args.index('--open')
        OPEN = float(args[i + 1])
        del args[i:i + 2]
    jsonl, folder = args[0], args[1]
    keep = set(open(args[2]).read().split()) if len(args) > 2 else None
    rows = []
    for line in open(jsonl):
        r = json.loads(line)
        if r.get('status') != 'ok' or (keep is not None and r['image'] not in keep):
            continue
        pts = np.frombuffer(base64.b64decode(r['points']), np.float32).reshape(-1, 3)
        s = mouth_stats(load(f"{folder}/{r['image']}"), pts)
        if s:
            rows.append(s)
    print(f'{len(rows)} open mouths (inner lip gap >= {OPEN} IOD); inside luminance over the lips\' median:')
    for k in ['p10', 'p50', 'p90', 'dark', 'teeth', 'sharp', 'sharp/lips']:
        a = np.array([x[k] for x in rows])
        print(f'{k:10s} median {np.median(a):.3f}  quartiles {np.percentile(a, 25):.3f}-{np.percentile(a, 75):.3f}')


if __name__ == '__main__':
    main()
