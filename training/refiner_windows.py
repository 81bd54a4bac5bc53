"""Mouth windows of the refiner's round-trip pairs, small enough to carry to a GPU machine.

The refiner's pairs (training/refiner_data.py, S = 128) take 660 MB; a GPU fine-tune of the mouth needs only
the part around it. For every pair this cuts a W x W window (default 72, the crop's own pixels, no resampling)
centred on the inner mouth, clamped inside the crop, and keeps the pairs whose original mouth is open (inner-mouth
mask at least --open px tall) plus a seeded sample of the others (so the network also learns to leave closed
lips alone). Same arrays and names as the pair shards (inp, tgt, reg, mouth, images), compressed, so
refiner_train.py reads them as they are (its validation split is by file name, as for the full pairs).

  /usr/bin/python3 training/refiner_windows.py --data training/out/refiner-data --out .gpu/refiner-mouth
"""
import argparse
import glob
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='training/out/refiner-data')
    ap.add_argument('--out', default='.gpu/refiner-mouth')
    ap.add_argument('--window', type=int, default=72)
    ap.add_argument('--open', type=int, default=5, help='inner-mouth height (crop px) that counts as open')
    ap.add_argument('--closed', type=int, default=2500, help='how many closed-mouth pairs to keep')
    ap.add_argument('--seed', type=int, default=3)
    args = ap.parse_args()
    W = args.window
    keep = {k: [] for k in ('inp', 'tgt', 'reg', 'mouth', 'images')}
    closed = {k: [] for k in keep}
    for f in sorted(glob.glob(os.path.join(args.data, 'pairs-*.npz'))):
        with np.load(f) as z:
            arrays = {k: z[k] for k in keep}
        S = arrays['inp'].shape[-1]
        for i in range(len(arrays['inp'])):
            ys, xs = np.nonzero(arrays['mouth'][i])
            if len(ys):
                cy, cx, h = ys.mean(), xs.mean(), ys.max() - ys.min() + 1
            else:
                cy, cx, h = 0.72 * S, 0.5 * S, 0
            y0 = int(np.clip(round(cy - W / 2), 0, S - W))
            x0 = int(np.clip(round(cx - W / 2), 0, S - W))
            dst = keep if h >= args.open else closed
            for k in ('inp', 'tgt', 'reg', 'mouth'):
                dst[k].append(arrays[k][i, y0:y0 + W, x0:x0 + W])
            dst['images'].append(arrays['images'][i])
    rng = np.random.default_rng(args.seed)
    pick = np.sort(rng.choice(len(closed['inp']), min(args.closed, len(closed['inp'])), replace=False))
    os.makedirs(args.out, exist_ok=True)
    out = {k: np.concatenate([np.stack(keep[k]), np.stack(closed[k])[pick]]) for k in keep}
    path = os.path.join(args.out, 'pairs-0000.npz')
    np.savez_compressed(path, **out)
    print(f'{len(keep["inp"])} open + {len(pick)} closed windows of {W} px -> {path} '
          f'({os.path.getsize(path) / 2 ** 20:.1f} MiB)')


if __name__ == '__main__':
    main()
