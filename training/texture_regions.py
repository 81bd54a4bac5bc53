"""Is the texture's odd part too weak anywhere on the face, for the change the app asks of it most? A check by region.

texture_calibrate.py finds the odd part's strength (s = 1) over the whole skin and over all pairs of photos of a person.
This script asks the same of one kind of pair and of parts of the face: pairs of a smiling and a neutral photo of one
person (photo a happy, photo b neutral: what "neutral" does to a smile; the expression labels of faces.csv are read
for this check only), in discs of 4 crop px around landmark groups of b: under the eyes, the crow's-feet corners, the
cheeks, the nasolabial folds, the brows and glabella. Per region it prints

- the least-squares strength of the odd part, sum(odd . (b - warp - even)) / sum(odd . odd), with odd and even the
  network's predicted changes (warp * M * gain); 1 = the network's change is as strong as the mean change it stands
  for, above 1 = too weak;
- the share of the change's sum of squares (after the even part) that the odd part at s = 1 explains.

All pairs, and those of the held-back people (crc32 % 20 == 0, never trained on; few).

    /usr/bin/python3 training/texture_regions.py [--data .gpu/texture10] [--faces ../shared/data/faces-color/faces.csv]
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from texture_common import S, grid_centres, load_net  # noqa: E402
from texture_train import batch, held_back, load  # noqa: E402

REGIONS = {
    'under the eyes': [111, 117, 118, 119, 120, 121, 340, 346, 347, 348, 349, 350, 23, 253, 24, 254],
    "crow's feet": [143, 156, 35, 372, 383, 265, 130, 359],
    'cheeks': [205, 425, 50, 280, 36, 266],
    'nasolabial folds': [216, 206, 436, 426, 92, 322],
    'brows, glabella': [9, 8, 107, 336, 55, 285],
}
RADIUS = 4.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='.gpu/texture10')
    ap.add_argument('--faces', default='../shared/data/faces-color/faces.csv')
    ap.add_argument('--weights', default='public/models/leed/texture.json')
    ap.add_argument('--per-person', type=int, default=4)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    imgs, pts, people = load(args.data, 'cpu')
    names = [p['image'] for p in json.load(open(os.path.join(args.data, 'index.json')))['photos']]
    label = {r['image']: r['expression'] for r in csv.DictReader(open(args.faces))}
    by = {}
    for i, (n, p) in enumerate(zip(names, people)):
        by.setdefault(p, {}).setdefault(label.get(n, ''), []).append(i)
    rng = np.random.default_rng(3)
    pa, pb, held = [], [], []
    for p, d in by.items():
        if 'happy' in d and 'neutral' in d:
            for _ in range(min(args.per_person, len(d['happy']) * len(d['neutral']))):
                pa.append(int(rng.choice(d['happy'])))
                pb.append(int(rng.choice(d['neutral'])))
                held.append(held_back(p))
    net = load_net(args.weights)
    net.eval()
    acc = {k: {'all': np.zeros(3), 'held-back': np.zeros(3)} for k in REGIONS}
    g = grid_centres(S).reshape(S, S, 2)                                      # crop pixel centres (x, y)
    with torch.no_grad():
        for k in range(0, len(pa), 32):
            ia, ib = torch.tensor(pa[k:k + 32]), torch.tensor(pb[k:k + 32])
            wa, m, motion, target, _ = batch(imgs, pts, ia, ib, None)
            gp, gn = net(m, motion), net(m, -motion)
            change = target - wa - wa * m * (gp + gn) / 2
            odd = wa * m * (gp - gn) / 2
            for name, idx in REGIONS.items():
                c = pts[ib][:, idx, :]                                            # [B, K, 2] crop px (x, y)
                d2 = ((g[None, None] - c[:, :, None, None, :]) ** 2).sum(-1)        # [B, K, S, S]
                disc = (d2.min(1).values < RADIUS * RADIUS).float()[:, None] * m
                sums = torch.stack([(odd * change * disc).sum((1, 2, 3)), (odd * odd * disc).sum((1, 2, 3)), (change * change * disc).sum((1, 2, 3))], 1)
                for j in range(len(ia)):
                    acc[name]['all'] += sums[j].numpy()
                    if held[k + j]:
                        acc[name]['held-back'] += sums[j].numpy()
    print(f'{len(pa)} pairs of a happy and a neutral photo of one person ({sum(held)} of held-back people), discs of {RADIUS:g} crop px')
    print('| region | least-squares strength of the odd part, all pairs | held-back pairs | share of the change explained at s = 1 |')
    print('| --- | --- | --- | --- |')
    for name, d in acc.items():
        a, h = d['all'], d['held-back']
        print(f'| {name} | {a[0] / a[1]:.2f} | {h[0] / max(h[1], 1e-12):.2f} | {(2 * a[0] - a[1]) / a[2]:.3f} |')


if __name__ == '__main__':
    main()
