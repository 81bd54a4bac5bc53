"""Trains the LEED disentangler N without expression labels.

Usage (from the repository root):
    nice /usr/bin/python3 training/train_disentangler.py [--landmarks data-out/landmarks.jsonl]
        [--data ../shared/data/faces] [--steps 5000] [--seed 1234] [--out training/out/disentangler.pt]
        [--units data-out/units.json [--w-units 1] [--units-p 0.2]]     the action units as expression (below)
    /usr/bin/python3 training/train_disentangler.py --report-only public/models/leed/disentangler.json
        [--units-report data-out/units.json]      the reports for exported weights, no training

Signal used in training: canonical landmarks and the `person` grouping only. The `expression` column
of faces.csv is loaded by leed_data.load() but never passed to the losses; it is only used by the
report printed at the end (neutral error on people with a neutral and an expressive photo).

Losses (all distances are per-landmark Euclidean distances in IOD units, averaged over the 468 points):
  pair   one neutral per person: N(x_i) = N(x_j) for two photos of the same person
  prior  small-displacement prior: rho(x - N(x)) for every photo, rho(d) = (d^2 + eps^2)^(p/2), p = 1
  cross  the person's shared neutral sits close to their other photos: rho(x_j - N(x_i)) on x, y
         distances with a concave power p = 0.25: mode-seeking, so the most common (relaxed) state
         of a person becomes the neutral rather than the mean of their expressions
  idem   idempotence: N(N(x)) = N(x)
  swap   swap consistency: N(N(x_a) + d_b) = N(x_a) for a random other photo b
  mi     mutual information between d and N(x) pushed down: squared cross-covariance between the
         displacement code and the PCA coordinates of N(x) over the batch
  units  (only with --units, data-out/units.json from training/export_units.ts) the action units are expression:
         N(x + sum_u c_u U_u) = sg(N(x)) for random sparse unit values c_u within each unit's [min, max], the
         fields added in template space (canonical landmarks are in the template's frame and IOD units). The
         model then also reads and writes the units (disentangler.py), so motion outside the PCA span can be
         taken off. Without --units the run is the shipped one before 2026-12-07, bit for bit.
"""
import argparse
import collections
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leed_data  # noqa: E402
from disentangler import Disentangler, pca_basis, unit_reader  # noqa: E402
from landmark_sets import L_EYE_CORNERS, R_EYE_CORNERS  # noqa: E402


def point_dist(a, b, dims=3):
    """Per-landmark Euclidean distance, (B x 1404) -> (B x 468); dims=2: x, y only (the image plane)."""
    return (a - b).reshape(a.shape[0], 468, 3)[..., :dims].pow(2).sum(-1).add(1e-10).sqrt()


def rho(d, power, eps):
    """Robust small-displacement penalty on per-landmark distances (B x 468): mean((d^2+eps^2)^(p/2))."""
    return (d.pow(2) + eps * eps).pow(power / 2).mean()


def cross_cov(code, z):
    """||Cov(code, z)||_F^2 / K over the batch, both in whitened PCA units (zero when independent).

    A shrinking N (d = lambda (x - mu), identity leaking into d) scores lambda (1 - lambda) squared per
    component; an expression displacement that is independent of the neutral face scores ~0."""
    a = code - code.mean(0)
    b = z - z.mean(0)
    c = a.t() @ b / a.shape[0]
    return c.pow(2).sum() / a.shape[1]


def neutral_error_report(model, data, quiet=False):
    """Eval only (uses labels): mean 2-D NME in % IOD of N(expressive) vs the same person's neutral photos."""
    X, P, E = data['X'], data['person'], data['expression']
    flat = torch.tensor(X.reshape(len(X), -1), dtype=torch.float32)
    with torch.no_grad():
        NX = model(flat).numpy().reshape(-1, 468, 3)

    def iod(b):
        return np.linalg.norm(b[L_EYE_CORNERS].mean(0) - b[R_EYE_CORNERS].mean(0))

    def nme(a, b):
        return 100 * np.mean(np.linalg.norm(a[:, :2] - b[:, :2], axis=1)) / iod(b)

    mean_neutral = X[E == 'neutral'].mean(0)
    by = collections.defaultdict(list)
    for i, p in enumerate(P):
        by[p].append(i)
    rows = collections.defaultdict(lambda: [[], [], []])
    for p, ix in by.items():
        neu = [i for i in ix if E[i] == 'neutral']
        if not neu:
            continue
        for i in ix:
            if E[i] in ('neutral', 'unlabelled'):
                continue
            for key in (E[i], 'all expressive'):
                r = rows[key]
                r[0].append(np.mean([nme(X[i], X[j]) for j in neu]))
                r[1].append(np.mean([nme(mean_neutral, X[j]) for j in neu]))
                r[2].append(np.mean([nme(NX[i], X[j]) for j in neu]))
    out = {}
    for k, (a, b, c) in sorted(rows.items(), key=lambda kv: -len(kv[1][0])):
        out[k] = (len(a), np.mean(a), np.mean(b), np.mean(c))
        if not quiet:
            print(f'  {k:16s} n={len(a):5d}  no change {np.mean(a):6.3f}  pop. mean {np.mean(b):6.3f}  N {np.mean(c):6.3f}')
    # displacement size on neutral vs expressive photos (label-free quantity, labels only to split)
    dn = np.linalg.norm((X - NX)[E == 'neutral'], axis=2).mean() * 100
    de = np.linalg.norm((X - NX)[(E != 'neutral') & (E != 'unlabelled')], axis=2).mean() * 100
    # identity kept: spread of N(x) around the population against the spread of x (neutral photos)
    neu = E == 'neutral'
    spread = np.mean([nme(NX[i], mean_neutral) for i in np.where(neu)[0]]) / np.mean([nme(X[i], mean_neutral) for i in np.where(neu)[0]])
    if not quiet:
        print(f'  mean |d| (% IOD): neutral photos {dn:.3f}, expressive photos {de:.3f}; '
              f'NME(N(x), pop. mean) / NME(x, pop. mean) on neutral photos {spread:.3f}')
    return out


def units_kept_report(model, data, units_path, photos=500):
    """Eval only: how much of each unit (template field at 1) N passes into the neutral, <N(x+u) - N(x), u> / <u, u>,
    median over the first `photos` photos labelled neutral (0: N takes the unit for expression; 1: for identity)."""
    with open(units_path) as f:
        uj = json.load(f)
    U = torch.tensor(uj['fields'], dtype=torch.float32)
    X = data['X'][data['expression'] == 'neutral'][:photos]
    x = torch.tensor(X.reshape(len(X), -1), dtype=torch.float32)
    with torch.no_grad():
        n0 = model(x)
        rows = []
        for name, u in zip(uj['names'], U):
            kept = ((model(x + u) - n0) @ u) / (u @ u)
            rows.append(f'{name} {kept.median().item():.2f}')
    print(f'  kept in N (median over {len(X)} neutral photos; 0 = expression): ' + ', '.join(rows))


def load_exported(json_path):
    """A Disentangler from exported tfjs weights (disentangler.json + its float16 .bin)."""
    with open(json_path) as f:
        cfg = json.load(f)
    spec = cfg['weightsManifest'][0]
    with open(os.path.join(os.path.dirname(json_path), spec['paths'][0]), 'rb') as f:
        raw = f.read()
    t, off = {}, 0
    for w in spec['weights']:
        n = int(np.prod(w['shape']))
        t[w['name']] = np.frombuffer(raw, dtype='<f2', count=n, offset=off).astype(np.float32).reshape(w['shape'])
        off += 2 * n
    k = cfg['tensors']
    has_units = 'units' in k
    model = Disentangler(t[k['mu']], t[k['basis']], t[k['std']], t[k['kernel1']].shape[1],
                         t[k['units']] if has_units else None, t[k['unitsIn']] if has_units else None)
    with torch.no_grad():
        for layer, i in ((model.l1, 1), (model.l2, 2), (model.l3, 3)):
            layer.weight.copy_(torch.tensor(t[k[f'kernel{i}']].T))
            layer.bias.copy_(torch.tensor(t[k[f'bias{i}']]))
    model.eval()
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--landmarks', default=leed_data.DEFAULT_LANDMARKS)
    ap.add_argument('--data', default=leed_data.DEFAULT_DATA)
    ap.add_argument('--out', default=os.path.join(leed_data.HERE, 'out', 'disentangler.pt'))
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--steps', type=int, default=5000)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--k', type=int, default=64)
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--w-pair', type=float, default=1.0)
    ap.add_argument('--w-prior', type=float, default=0.3)
    ap.add_argument('--w-cross', type=float, default=1.0)
    ap.add_argument('--w-idem', type=float, default=1.0)
    ap.add_argument('--w-swap', type=float, default=0.5)
    ap.add_argument('--w-mi', type=float, default=0.3)
    ap.add_argument('--power', type=float, default=1.0)
    ap.add_argument('--eps', type=float, default=0.01)
    ap.add_argument('--cross-dims', type=int, default=2, help='3: 3-D distances in the cross term; 2: x, y only')
    ap.add_argument('--cross-power', type=float, default=0.25, help='power of the cross term (default: --power)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu', help="'cpu' (reproduces the shipped weights) or 'cuda'")
    ap.add_argument('--no-report', action='store_true')
    ap.add_argument('--units', default=None, help='units JSON (training/export_units.ts): unit basis + augmentation loss')
    ap.add_argument('--w-units', type=float, default=1.0, help='weight of the unit augmentation loss')
    ap.add_argument('--units-p', type=float, default=0.2, help='probability that a unit is on in an augmented face')
    ap.add_argument('--units-report', default=None, help='units JSON for the "kept in N" report only (training unchanged)')
    ap.add_argument('--report-only', default=None, metavar='DISENTANGLER_JSON',
                    help='train nothing: print the reports for exported weights (e.g. public/models/leed/disentangler.json)')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.report_only:
        data = leed_data.load(args.landmarks, args.data)
        model = load_exported(args.report_only)
        print(f'{args.report_only}: neutral error (eval only, training-set people), 2-D NME % IOD:')
        neutral_error_report(model, data)
        if args.units or args.units_report:
            units_kept_report(model, data, args.units_report or args.units)
        return
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    data = leed_data.load(args.landmarks, args.data)
    X = data['X'].reshape(len(data['X']), -1).astype(np.float32)
    persons = data['person']
    groups = collections.defaultdict(list)
    for i, p in enumerate(persons):
        groups[p].append(i)
    multi = [np.array(ix) for ix in groups.values() if len(ix) >= 2]
    in_multi = np.concatenate(multi)
    print(f'{len(X)} photos, {len(groups)} people, {len(multi)} with 2+ photos ({len(in_multi)} photos)')

    mu, basis, std = pca_basis(X.astype(np.float64), args.k)
    device = torch.device(args.device)
    units = units_in = None
    if args.units:
        with open(args.units) as f:
            uj = json.load(f)
        units = np.array(uj['fields'], dtype=np.float64)
        units_in = unit_reader(units, basis)
        lo = torch.tensor([uj['ranges'][n][0] for n in uj['names']], dtype=torch.float32, device=device)
        hi = torch.tensor([uj['ranges'][n][1] for n in uj['names']], dtype=torch.float32, device=device)
        print(f"{len(units)} units: {', '.join(uj['names'])}")
    model = Disentangler(mu, basis, std, args.hidden, units, units_in).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.steps)
    Xt = torch.tensor(X, device=device)

    # pair sampling, vectorised: photo i from a person with 2+ photos, j another photo of that person
    flat_ix = np.concatenate(multi)
    start = np.concatenate([[0], np.cumsum([len(g) for g in multi])[:-1]])
    glen = np.concatenate([[len(g)] * len(g) for g in multi])
    gstart = np.concatenate([[s] * len(g) for s, g in zip(start, multi)])
    pos = np.arange(len(flat_ix)) - gstart

    def sample_pairs(n):
        t = rng.integers(0, len(flat_ix), n)
        off = rng.integers(1, glen[t])  # 1 .. len-1: never the same photo
        u = gstart[t] + (pos[t] + off) % glen[t]
        return flat_ix[t], flat_ix[u]

    for step in range(args.steps):
        i, j = sample_pairs(args.batch)
        a = rng.integers(0, len(X), args.batch)
        b = rng.integers(0, len(X), args.batch)
        xi, xj, xa, xb = (Xt[torch.as_tensor(v, device=device)] for v in (i, j, a, b))
        x = torch.cat([xi, xj, xa])
        d, code = model.displacement(x)
        n = x - d
        ni, nj, na = n[:args.batch], n[args.batch:2 * args.batch], n[2 * args.batch:]
        l_pair = point_dist(ni, nj).mean()
        l_prior = rho(point_dist(x, n), args.power, args.eps)
        cp = args.cross_power if args.cross_power is not None else args.power
        l_cross = 0.5 * (rho(point_dist(xj, ni, args.cross_dims), cp, args.eps) + rho(point_dist(xi, nj, args.cross_dims), cp, args.eps))
        l_idem = point_dist(model(n), n).mean()
        db = xb - model(xb)
        l_swap = point_dist(model(na + db), na).mean()
        l_mi = cross_cov(code[:args.batch * 2], model.code_in(n[:args.batch * 2]))
        loss = (args.w_pair * l_pair + args.w_prior * l_prior + args.w_cross * l_cross
                + args.w_idem * l_idem + args.w_swap * l_swap + args.w_mi * l_mi)
        l_units = None
        if units is not None:
            # random sparse unit values within each unit's range, added to the single photos
            on = (torch.rand(args.batch, len(lo), device=device) < args.units_p).float()
            cu = on * (lo + (hi - lo) * torch.rand(args.batch, len(lo), device=device))
            l_units = point_dist(model(xa + cu @ model.units), na.detach()).mean()
            loss = loss + args.w_units * l_units
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == args.steps - 1:
            print(f'step {step:5d} loss {loss.item():.5f} pair {l_pair.item():.4f} prior {l_prior.item():.4f} '
                  f'cross {l_cross.item():.4f} idem {l_idem.item():.4f} swap {l_swap.item():.4f} mi {l_mi.item():.4f}'
                  + ('' if l_units is None else f' units {l_units.item():.4f}'), flush=True)
    train_s = time.time() - t0
    model = model.cpu()
    print(f'trained in {train_s:.0f} s')
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.save({'state': model.state_dict(), 'hidden': args.hidden, 'k': args.k, 'args': vars(args),
                'unit_names': None if units is None else uj['names'],
                'photos': len(X), 'people': len(groups), 'train_seconds': train_s}, args.out)
    print(f'saved {args.out}')
    if not args.no_report:
        model.eval()
        print('neutral error (eval only, training-set people), 2-D NME % IOD, float16-rounded weights:')
        neutral_error_report(model.quantised_copy(), data)
        if args.units or args.units_report:
            units_kept_report(model.quantised_copy(), data, args.units_report or args.units)


if __name__ == '__main__':
    main()
