"""How strongly should the app apply the texture's odd part? A calibration on held-back people.

The network was trained with an L1 loss to predict the shading change between two photos of one person from the
landmark motion alone. Where the outcome is uncertain (whose fold, how deep), an L1 (or L2) fit shrinks toward no
change, so its prediction can be weaker than the change it stands for. The app applies only the odd part
odd = (net(M, m) - net(M, -m)) / 2 (texture_common.py: the even part is the light and contrast that differ between
any two news photos). This script measures, on pairs of photos of the held-back people (crc32 % 20 == 0, as in
texture_train.py; never trained on), the loss inside M of

    warp * (1 + M * (even + s * odd))   against the second photo (light-matched as in training)

for a range of s, and prints the s with the least loss: the strength the data support for the odd part. The even
part stays in at 1 (it stands for the light and contrast that any two photos differ by; left out, the loss would
charge that difference to s), and the face-oval fade the app adds is left out (it only cuts the gain past the
face's outline, where M is small).

    python3 training/texture_calibrate.py [--data .gpu/texture10] [--weights public/models/leed/texture.json] [--pairs 512]

--weights: the shipped model (texture.json + texture.bin, as texture_export.py writes it; the default) or a
training checkpoint (.pt).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from texture_common import load_net  # noqa: E402
from texture_train import batch, held_back, load, loss_fn, masked_l1, pairs_of  # noqa: E402


def coarse_losses(out, target, m):
    """Per pair: L2 in M, and L1 and L2 of the error averaged (weighted by M) over 2 x 2 and 4 x 4 px cells, over the
    cells mostly in M: the coarse shading a small emotion model (64 px for the whole face) sees, where the per-pixel
    losses also count misalignment and skin detail."""
    e = out - target
    res = {'l2': (e * e * m).sum((1, 2, 3)) / (3 * m.sum((1, 2, 3)) + 1e-6)}
    for q in (2, 4):
        mp = F.avg_pool2d(m, q)
        ep = F.avg_pool2d(e * m, q) / (mp + 1e-6)
        keep = (mp > 0.5).float()
        den = 3 * keep.sum((1, 2, 3)) + 1e-6
        res[f'l1p{q}'] = (ep.abs() * keep).sum((1, 2, 3)) / den
        res[f'l2p{q}'] = (ep * ep * keep).sum((1, 2, 3)) / den
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='.gpu/texture10')
    ap.add_argument('--weights', default='public/models/leed/texture.json')
    ap.add_argument('--pairs', type=int, default=512)
    ap.add_argument('--max-motion', type=float, default=9.0)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    imgs, pts, people = load(args.data, 'cpu')
    held = [i for i, p in enumerate(people) if held_back(p)]
    va, vb = pairs_of(people, held, np.random.default_rng(11), args.pairs, 0.0)
    net = load_net(args.weights)
    net.eval()
    scales = [0.0, 0.5, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0]
    coarse = ('l2', 'l1p2', 'l2p2', 'l1p4', 'l2p4')
    sums = {k: torch.zeros(len(scales)) for k in ('l1', 'loss') + coarse}
    sums_big = {k: torch.zeros(len(scales)) for k in ('l1', 'loss')}
    n = n_big = 0
    with torch.no_grad():
        for k in range(0, len(va), 64):
            wa, m, motion, target, mv = batch(imgs, pts, torch.tensor(va[k:k + 64]), torch.tensor(vb[k:k + 64]), None)
            keep = (mv <= args.max_motion) & (mv > 0)
            if not keep.any():
                continue
            wa, m, motion, target, mv = wa[keep], m[keep], motion[keep], target[keep], mv[keep]
            gp, gn = net(m, motion), net(m, -motion)
            even, odd = (gp + gn) / 2, (gp - gn) / 2
            big = mv >= 4.0
            for j, s in enumerate(scales):
                out = (wa * (1 + m * (even + s * odd))).clamp(0, 1)
                l1, lo = masked_l1(out, target, m), loss_fn(out, target, m)
                sums['l1'][j] += l1.sum()
                for name, v in coarse_losses(out, target, m).items():
                    sums[name][j] += v.sum()
                sums['loss'][j] += lo.sum()
                sums_big['l1'][j] += l1[big].sum()
                sums_big['loss'][j] += lo[big].sum()
            n += int(keep.sum())
            n_big += int(big.sum())
            print(f'{n} pairs', file=sys.stderr, flush=True)
    print(f'{n} held-back pairs ({len(held)} photos of {len({people[i] for i in held})} people), {n_big} with motion >= 4 crop px')
    print('| odd-part strength s | ' + ' | '.join(f'{s:g}' for s in scales) + ' |')
    print('| --- | ' + ' | '.join('---' for _ in scales) + ' |')
    for name, d, cnt in (('L1 in M, all pairs', sums['l1'], n), ('training loss, all pairs', sums['loss'], n),
                         ('L2 in M, all pairs', sums['l2'], n),
                         ('L1, images averaged over 2 x 2 px', sums['l1p2'], n), ('L2, 2 x 2 px', sums['l2p2'], n),
                         ('L1, images averaged over 4 x 4 px', sums['l1p4'], n), ('L2, 4 x 4 px', sums['l2p4'], n),
                         ('L1 in M, motion >= 4 px', sums_big['l1'], n_big), ('training loss, motion >= 4 px', sums_big['loss'], n_big)):
        v = d / max(cnt, 1)
        print(f'| {name} | ' + ' | '.join(f'{x:.6f}' for x in v.tolist()) + f' | best s = {scales[int(v.argmin())]:g}')


if __name__ == '__main__':
    main()
