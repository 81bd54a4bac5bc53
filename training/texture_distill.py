"""Distil the expression-texture network into a smaller one of the same shape (texture_common.TextureNet).

The app uses only the odd part of the network's gain, (net(M, motion) - net(M, -motion)) / 2, on its 64 x 64 grid.
The student is trained to give the teacher's odd part, taken the same way, so it stays odd by construction (no
motion, no change). Inputs are the fields of the targets the app's edits ask for (texture_distill_data.ts: presets,
neutral, other photos' faces, random units, presets limited to regions, on training people); no pixels, no labels.
Loss inside M: L1 of the difference and of its horizontal and vertical steps (creases are edges). Every 10th pair
is held back and the relative L1 inside M (|student - teacher| / |teacher|) printed as it goes.

    mkdir -p .gpu/teacher && for f in texture.json texture.bin; do    # the teacher: the network texture_train.py made
        git show 9ffb85a:public/models/leed/$f > .gpu/teacher/$f; done
    npx tsx training/texture_distill_data.ts --data ../shared/data/faces-color --photos 800 --out .gpu/texture-distill
    /usr/bin/python3 training/texture_distill.py --teacher .gpu/teacher/texture.json --pairs .gpu/texture-distill.i16 --ch 12,24,32 \
        --minutes 28 --out training/out/texture-distilled.pt
    /usr/bin/python3 training/texture_export.py --ckpt training/out/texture-distilled.pt
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from texture_common import GRID, S, TextureNet, fields, load_net  # noqa: E402


def teacher_ch(path):
    return json.load(open(path))['config']['channels']


def odd(net, motion, m64):
    g = net.on_grid(torch.cat([motion, -motion]), torch.cat([m64, m64]))
    return (g[:len(motion)] - g[len(motion):]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pairs', default='.gpu/texture-distill.i16')
    ap.add_argument('--teacher', default='.gpu/teacher/texture.json')
    ap.add_argument('--ch', default='12,24,32')
    ap.add_argument('--form', default='product', choices=['plain', 'product'],
                    help="product: odd by construction, one run a gain (texture_common.TextureNet); plain: the teacher's form")
    ap.add_argument('--minutes', type=float, default=20)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--out', default='training/out/texture-distilled.pt')
    args = ap.parse_args()
    torch.manual_seed(0)
    ch = tuple(int(c) for c in args.ch.split(','))
    pts = torch.tensor(np.fromfile(args.pairs, '<i2').astype(np.float32) / 64).reshape(-1, 2, 468, 2)
    n = len(pts)
    cache = f'{args.pairs}.teacher.pt'  # the fields and the teacher's odd part, once per pairs file and teacher
    with open(args.teacher, 'rb') as f, open(os.path.join(os.path.dirname(args.teacher), json.load(open(args.teacher))['weightsManifest'][0]['paths'][0]), 'rb') as b:
        key = (n, hashlib.sha256(f.read() + b.read()).hexdigest())  # the teacher's bytes: a fresh `git show` keeps its cache
    c = torch.load(cache) if os.path.exists(cache) else None
    if c is not None and c['key'] == key:
        motion, m64, target = c['motion'], c['m64'], c['target']
    else:
        motion = torch.zeros(n, 2, GRID, GRID)
        m64 = torch.zeros(n, 1, GRID, GRID)
        target = torch.zeros(n, 3, GRID, GRID)
        teacher = load_net(args.teacher).eval()
        t0 = time.time()
        with torch.no_grad():
            for i in range(0, n, 16):
                m, mot, _ = fields(pts[i:i + 16, 0], pts[i:i + 16, 1])
                motion[i:i + 16], m64[i:i + 16] = mot, F.avg_pool2d(m, S // GRID)
                target[i:i + 16] = odd(teacher, motion[i:i + 16], m64[i:i + 16])
        print(f'{n} pairs: fields and teacher in {time.time() - t0:.0f} s', flush=True)
        torch.save({'key': key, 'motion': motion, 'm64': m64, 'target': target}, cache)
    print(f'{n} pairs; mean |teacher odd| in M {float((m64 * target.abs()).sum() / (3 * m64.sum())):.4f}', flush=True)
    held = torch.arange(n) % 10 == 0
    train, val = torch.nonzero(~held).squeeze(1), torch.nonzero(held).squeeze(1)
    student = TextureNet(ch, args.form)
    # the student's odd part: its own output in the product form, both signs of the motion in the plain one
    s_odd = (lambda mot, w: student.on_grid(mot, w)) if args.form == 'product' else (lambda mot, w: odd(student, mot, w))
    torch.nn.init.normal_(student.out.weight, std=1e-3)  # zero-initialised, the odd part would have no gradient
    opt = torch.optim.Adam(student.parameters(), args.lr)

    def rel_l1(idx):
        num = den = 0.0
        with torch.no_grad():
            for i in range(0, len(idx), 128):
                j = idx[i:i + 128]
                w = m64[j]
                num += float((w * (s_odd(motion[j], w) - target[j]).abs()).sum())
                den += float((w * target[j].abs()).sum())
        return num / den

    t0, step, total = time.time(), 0, args.minutes * 60
    while time.time() - t0 < total:
        for g in opt.param_groups:
            g['lr'] = args.lr * 0.5 * (1 + math.cos(math.pi * min((time.time() - t0) / total, 1)))
        j = train[torch.randint(len(train), (args.batch,))]
        w = m64[j]
        d = s_odd(motion[j], w) - target[j]
        loss = (w * d.abs()).mean() + (w[..., 1:, :] * (d[..., 1:, :] - d[..., :-1, :]).abs()).mean() \
            + (w[..., :, 1:] * (d[..., :, 1:] - d[..., :, :-1]).abs()).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 500 == 0:
            print(f'step {step} {time.time() - t0:.0f} s loss {loss.item():.5f} held-back relative L1 {rel_l1(val):.4f}', flush=True)
    print(f'done: {step} steps, held-back relative L1 {rel_l1(val):.4f}, training {rel_l1(train[:len(val)]):.4f}')
    os.makedirs(os.path.dirname(args.out) or '.', exist_ok=True)
    torch.save({'ch': list(ch), 'form': args.form, 'state': student.state_dict(), 'step': step, 'photos': 0,
                'distilled': {'pairs': n, 'teacher_channels': list(teacher_ch(args.teacher)), 'held_back_relative_l1': round(rel_l1(val), 4)}}, args.out)


if __name__ == '__main__':
    main()
