"""Train the expression-texture network (texture_common.py) on pairs of photos of one person.

Data: training/texture_data.ts (aligned crops of the colour set, landmarks in crop pixels, person). No
expression label is read: a pair is two photos of one person, whatever they show (often neutral and
smiling, often two smiles, sometimes the same photo twice).

For a pair (a, b): a's crop is warped to b's landmarks (the backward motion of texture_common.fields, the
same smooth interpolation the network is given), and the network must turn that warp into b: what the warp
cannot do is what changed in the skin. b differs from a in more than expression (light, colour, another
day), so before the loss b is given the warp's light: b times the ratio of the two photos' means over 16 x 16 px
cells inside M, per channel (a light gradient and a colour cast are not the network's to learn; a fold or a
crease, under 16 px, is). Loss inside M:
L1 + L1 of the horizontal and vertical differences (the folds and creases are edges). A share of the pairs
is the same photo twice (no motion: the residual must be 0).

Held back: people whose name hashes to 0 mod 20 (crc32), for the validation printed as it goes: L1 inside
M of the warp alone and of the warp with the residual, on all held-back pairs and on those with the most
motion. Pairs whose landmarks move by more than --max-motion (mean, crop px: a turned head, a bad mesh) are
left out of the loss and the validation.

    python3 training/texture_train.py --data .gpu/texture --out training/out/texture.pt --minutes 7
"""
import argparse
import io
import json
import math
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from texture_common import S, TextureNet, fields  # noqa: E402


def held_back(person):
    """People held back from training (never trained on): their name's crc32 is 0 mod 20."""
    return zlib.crc32(person.encode()) % 20 == 0


def load(folder, device):
    ix = json.load(open(os.path.join(folder, 'index.json')))
    assert ix['size'] == S
    blob = open(os.path.join(folder, 'crops.bin'), 'rb').read()
    imgs = np.stack([np.asarray(Image.open(io.BytesIO(blob[p['offset']:p['offset'] + p['length']])).convert('RGB')) for p in ix['photos']])
    pts = np.frombuffer(open(os.path.join(folder, 'points.i16'), 'rb').read(), dtype='<i2').astype(np.float32).reshape(len(ix['photos']), 468, 2) / 64
    people = [p['person'] for p in ix['photos']]
    return torch.from_numpy(imgs).to(device), torch.from_numpy(pts).to(device), people


def warp(img, mot):
    """img [B,3,S,S] sampled at pixel + mot (crop px, backward), bilinear, border."""
    B = img.shape[0]
    c = torch.arange(S, dtype=torch.float32, device=img.device)
    y, x = torch.meshgrid(c, c, indexing='ij')
    px = x[None] + mot[:, 0]
    py = y[None] + mot[:, 1]
    grid = torch.stack([(2 * px + 1) / S - 1, (2 * py + 1) / S - 1], -1)
    return F.grid_sample(img, grid, mode='bilinear', padding_mode='border', align_corners=False)


def lowpass(x, m, k=16):
    """Mean of x inside m over k x k cells, resized back to S (bilinear): the light at scales above ~k px."""
    num = F.avg_pool2d(x * m, k)
    den = F.avg_pool2d(m.expand_as(x), k)
    return F.interpolate(num / (den + 1e-4), size=(S, S), mode='bilinear', align_corners=False), F.interpolate(den, size=(S, S), mode='bilinear', align_corners=False)


def match_light(b, ref, m):
    """b with ref's light: b * lowpass(ref) / lowpass(b), per channel, inside m (a ratio, so b's contrast at
    scales under ~16 px, its folds and creases, is kept)."""
    lr, den = lowpass(ref, m)
    lb, _ = lowpass(b, m)
    gain = torch.where(den > 0.05, (lr + 0.02) / (lb + 0.02), torch.ones_like(lr)).clamp(0.5, 2.0)
    return (b * gain).clamp(0, 1)


def batch(imgs, pts, idx_a, idx_b, flip):
    a = imgs[idx_a].permute(0, 3, 1, 2).float() / 255
    b = imgs[idx_b].permute(0, 3, 1, 2).float() / 255
    pa = pts[idx_a].clone()
    pb = pts[idx_b].clone()
    if flip is not None:
        a = torch.where(flip[:, None, None, None], a.flip(3), a)
        b = torch.where(flip[:, None, None, None], b.flip(3), b)
        pa[..., 0] = torch.where(flip[:, None], S - 1 - pa[..., 0], pa[..., 0])
        pb[..., 0] = torch.where(flip[:, None], S - 1 - pb[..., 0], pb[..., 0])
    m, motion, mot = fields(pb, pa)
    wa = warp(a, mot)
    target = match_light(b, wa, m)
    return wa, m, motion, target, (pa - pb).norm(dim=-1).mean(-1)


def masked_l1(x, y, m):
    return ((x - y).abs() * m).sum((1, 2, 3)) / (3 * m.sum((1, 2, 3)) + 1e-6)


def loss_fn(out, target, m):
    l = masked_l1(out, target, m)
    dx = lambda t: t[..., :, 1:] - t[..., :, :-1]
    dy = lambda t: t[..., 1:, :] - t[..., :-1, :]
    l = l + masked_l1(dx(out), dx(target), m[..., :, 1:] * m[..., :, :-1]) + masked_l1(dy(out), dy(target), m[..., 1:, :] * m[..., :-1, :])
    return l


def pairs_of(people, photos, rng, n, p_same):
    """n pairs (a, b) of photos of one person among `photos` (indices)."""
    by = {}
    for i in photos:
        by.setdefault(people[i], []).append(i)
    groups = [g for g in by.values() if len(g) >= 2]
    out_a, out_b = [], []
    for _ in range(n):
        g = groups[rng.integers(len(groups))]
        a = g[rng.integers(len(g))]
        b = a if rng.random() < p_same else g[rng.integers(len(g))]
        while b == a and len(g) > 1 and rng.random() >= p_same:
            b = g[rng.integers(len(g))]
        out_a.append(a)
        out_b.append(b)
    return out_a, out_b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='.gpu/texture')
    ap.add_argument('--out', default='training/out/texture.pt')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--minutes', type=float, default=7.0)
    ap.add_argument('--max-steps', type=int, default=10 ** 9)
    ap.add_argument('--p-same', type=float, default=0.15)
    ap.add_argument('--val-every', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-motion', type=float, default=9.0, help='pairs whose landmarks move more (mean, crop px) are left out')
    args = ap.parse_args()
    torch.manual_seed(7)
    torch.set_num_threads(args.threads)
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    if dev == 'cuda':
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    t0 = time.time()
    imgs, pts, people = load(args.data, dev)
    held = [i for i, p in enumerate(people) if held_back(p)]
    train = [i for i, p in enumerate(people) if not held_back(p)]
    print(f'{len(people)} photos ({len(train)} train, {len(held)} held back) on {dev}, loaded in {time.time() - t0:.1f} s', flush=True)
    rng = np.random.default_rng(7)
    va, vb = pairs_of(people, held, np.random.default_rng(3), 256, 0.0)
    net = TextureNet().to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    deadline = time.time() + args.minutes * 60

    def validate(step):
        net.eval()
        with torch.no_grad():
            rows = []
            for k in range(0, len(va), 64):
                wa, m, motion, target, mv = batch(imgs, pts, torch.tensor(va[k:k + 64], device=dev), torch.tensor(vb[k:k + 64], device=dev), None)
                out = (wa * (1 + m * net(m, motion))).clamp(0, 1)
                rows.append(torch.stack([masked_l1(wa, target, m), masked_l1(out, target, m), mv], 1))
            r = torch.cat(rows).cpu()
            r = r[r[:, 2] <= args.max_motion]
            big = r[:, 2] >= r[:, 2].quantile(0.75)
            print(f'  val step {step}: L1 in M warp {r[:, 0].mean():.5f} -> {r[:, 1].mean():.5f}; most motion (top quarter, '
                  f'{r[big, 2].mean():.1f} px) {r[big, 0].mean():.5f} -> {r[big, 1].mean():.5f}', flush=True)
        net.train()

    def save(step):
        torch.save({'state': net.state_dict(), 'ch': list(net.ch), 'step': step, 'photos': len(people)}, args.out)

    validate(0)
    step = 0
    while step < args.max_steps and time.time() < deadline:
        a, b = pairs_of(people, train, rng, args.batch, args.p_same)
        flip = torch.from_numpy(rng.random(args.batch) < 0.5).to(dev)
        with torch.no_grad():
            wa, m, motion, target, mv = batch(imgs, pts, torch.tensor(a, device=dev), torch.tensor(b, device=dev), flip)
        frac = min(1.0, (time.time() - t0) / (args.minutes * 60))
        for g in opt.param_groups:
            g['lr'] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        out = wa * (1 + m * net(m, motion))
        keep = (mv <= args.max_motion).float()  # a turned head or a bad mesh is not an expression
        loss = (loss_fn(out, target, m) * keep).sum() / keep.sum().clamp(min=1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 500 == 0:
            print(f'step {step} loss {loss.item():.5f} lr {opt.param_groups[0]["lr"]:.2e} {time.time() - t0:.0f} s', flush=True)
        if step % args.val_every == 0:
            validate(step)
            save(step)
    validate(step)
    save(step)
    print(f'done: {step} steps in {time.time() - t0:.0f} s -> {args.out}', flush=True)


if __name__ == '__main__':
    main()
