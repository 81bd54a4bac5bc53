"""Train the LEED refiner on round-trip pairs (training/refiner_data.py).

Loss on out = A * inp + (1 - A) * C against the original crop:
  L1 weighted 1 + 4 region + 20 damage + 10 mouth (region: mouth / eye polygons; damage: what the round trip
  destroyed near the mouth / eyes, clamp((avgpool5 |inp - tgt| - 0.02) / 0.08, 0, 1) * dilated region;
  mouth: the inside of the inner lip contour, dilated 2 px)
  + 0.5 * (1 - SSIM)
  + 0.5 * L1 of C alone on the damaged pixels (+ 0.1 x everywhere: C must learn to paint, not copy)
  + 0.05 * hinge GAN (small patch discriminator, after a warm-up)
  + 0.01 * mean(1 - A) + 0.05 * TV(A)
  + 0.2 * mask hint: BCE(A, 1 - damage), weighted 1 + 4 damage (the round trip knows what it destroyed; without it A saturates near 1).
Inputs (v2): the luminance and the inner-mouth mask of the landmarks the crop is warped to (refiner_common.inner_mouth_mask),
so the network knows where a mouth interior belongs instead of guessing it from smeared lip pixels.
Trained on 64 x 64 patches of the S x S crops (half centred inside an open mouth, else 75 % on damaged pixels, else the
mouth / eye regions); the network is fully convolutional and runs on the whole crop.
Luminance only (the data are grayscale; the runtime carries chroma, see src/engine/render/refine.ts).

Stretched-lip inputs (--fill-mouth, fill_mouth): inside those mouths the pixel losses give way to an L1 of 4 x 4 means
and the GAN, so the network paints a cavity and teeth of its own where a closed mouth opens.
The shipped weights: five resumed stages (CPU, CPU, GPU on mouth windows x 2, CPU); training/README.md has every
command. The first two:
  nice /usr/bin/python3 training/refiner_train.py --out training/out/refiner.pt --max-steps 9000 --minutes 120
  nice /usr/bin/python3 training/refiner_train.py --out training/out/refiner.pt --resume --smooth-mouth 0.5 \
      --max-steps 15000 --minutes 40
Runs on CUDA when available (torch 2.x), else CPU with --threads threads.
"""
import argparse
import glob
import json
import math
import os
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refiner_common import PatchD, Refiner, fill_mouth


def is_val(name):
    """About 2% of photos, chosen by a hash of the file name, are kept out for the validation figures."""
    return zlib.crc32(name.encode()) % 50 == 0


class Pairs:
    def __init__(self, folder):
        self.folder = folder
        self.files = []
        self.inp = self.tgt = self.reg = None
        self.val = None
        self.refresh()

    def refresh(self):
        files = sorted(glob.glob(os.path.join(self.folder, 'pairs-*.npz')))
        if files == self.files:
            return False
        inp, tgt, reg, mou, vin, vtg, vrg, vmo = [], [], [], [], [], [], [], []
        for f in files:
            with np.load(f) as z:
                v = np.array([is_val(n) for n in z['images']])
                m = z['mouth'] if 'mouth' in z.files else np.zeros_like(z['reg'])
                inp.append(z['inp'][~v]); tgt.append(z['tgt'][~v]); reg.append(z['reg'][~v]); mou.append(m[~v])
                vin.append(z['inp'][v]); vtg.append(z['tgt'][v]); vrg.append(z['reg'][v]); vmo.append(m[v])
        self.inp, self.tgt, self.reg, self.mouth = (torch.from_numpy(np.concatenate(a)) for a in (inp, tgt, reg, mou))
        self.val = tuple(torch.from_numpy(np.concatenate(a)) for a in (vin, vtg, vrg, vmo))
        self.files = files
        return True

    def __len__(self):
        return len(self.inp)


def gauss_window(size=11, sigma=1.5):
    x = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def ssim(a, b, w):
    C1, C2 = 0.01 ** 2, 0.03 ** 2
    p = w.shape[-1] // 2
    mu_a = F.conv2d(a, w, padding=p)
    mu_b = F.conv2d(b, w, padding=p)
    saa = F.conv2d(a * a, w, padding=p) - mu_a ** 2
    sbb = F.conv2d(b * b, w, padding=p) - mu_b ** 2
    sab = F.conv2d(a * b, w, padding=p) - mu_a * mu_b
    m = ((2 * mu_a * mu_b + C1) * (2 * sab + C2)) / ((mu_a ** 2 + mu_b ** 2 + C1) * (saa + sbb + C2))
    return m.mean()


def augment(inp, tgt, reg, gen):
    """Same random flip and photometric change (contrast, brightness, gamma) for input and target."""
    B = inp.shape[0]
    flip = torch.rand(B, generator=gen) < 0.5
    inp = torch.where(flip[:, None, None, None], inp.flip(-1), inp)
    tgt = torch.where(flip[:, None, None, None], tgt.flip(-1), tgt)
    reg = torch.where(flip[:, None, None, None], reg.flip(-1), reg)
    gamma = torch.exp((torch.rand(B, 1, 1, 1, generator=gen) - 0.5) * 0.6)
    a = 0.75 + 0.5 * torch.rand(B, 1, 1, 1, generator=gen)
    b = (torch.rand(B, 1, 1, 1, generator=gen) - 0.5) * 0.3
    f = lambda t: (a * (t.clamp(1e-4, 1) ** gamma - 0.5) + 0.5 + b).clamp(0, 1)
    return f(inp), f(tgt), reg


def smooth_mouth(x, m, gen, p, pick=None):
    """With probability p per sample, the inside of the mouth (m dilated 2 px) becomes a blur of itself (sigma 2-5 px).
    The round trip leaves high-contrast stripes there (teeth squeezed into a line, stretched back); a closed mouth
    opened at run time leaves smooth stretched lips instead. Without this the network learned to paint only where
    it saw stripes, and kept the smooth lips of a real closed mouth opened by a preset."""
    if p <= 0:
        return x
    B = x.shape[0]
    sigma = 2 + 3 * torch.rand(1, generator=gen).item()
    r = int(math.ceil(2.5 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    g = torch.exp(-t ** 2 / (2 * sigma ** 2))
    g = (g / g.sum()).to(x.device)
    xp = F.pad(x, (r, r, r, r), mode='replicate')
    blur = F.conv2d(F.conv2d(xp, g.view(1, 1, 1, -1)), g.view(1, 1, -1, 1))
    mm = F.max_pool2d(m, 5, 1, 2)
    if pick is None:
        pick = (torch.rand(B, 1, 1, 1, generator=gen) < p).float()
    return x + pick.to(x.device) * mm * (blur - x)


def damage(x, y):
    """What the round trip destroyed: smoothed |inp - tgt| mapped 0.02..0.10 -> 0..1."""
    return ((F.avg_pool2d((x - y).abs(), 5, 1, 2) - 0.02) / 0.08).clamp(0, 1)


def take_patches(x, y, r, P, gen, p_focus=0.75, p_mouth=0.0):
    """P x P patches: with probability p_mouth centred on the inside of an open mouth (when there is one,
    at least 20 pixels), else with p_focus on a random damaged pixel (else a mouth / eye region pixel),
    else anywhere. r has 3 channels: region mask, damage, inner mouth."""
    B, _, S, _ = x.shape
    if P >= S:
        return x, y, r
    xs, ys, rs = [], [], []
    for b in range(B):
        cy = cx = None
        if p_mouth > 0 and torch.rand(1, generator=gen).item() < p_mouth:
            nz = (r[b, 2] > 0.5).nonzero()
            if len(nz) >= 20:
                cy, cx = nz[torch.randint(len(nz), (1,), generator=gen).item()].tolist()
        if cy is None and torch.rand(1, generator=gen).item() < p_focus:
            nz = (r[b, 1] > 0.5).nonzero()
            if len(nz) == 0:
                nz = (r[b, 0] > 0.5).nonzero()
            if len(nz):
                cy, cx = nz[torch.randint(len(nz), (1,), generator=gen).item()].tolist()
                cy += torch.randint(-P // 4, P // 4 + 1, (1,), generator=gen).item()
                cx += torch.randint(-P // 4, P // 4 + 1, (1,), generator=gen).item()
        if cy is None:
            cy, cx = torch.randint(P // 2, S - P // 2 + 1, (2,), generator=gen).tolist()
        y0 = min(max(cy - P // 2, 0), S - P)
        x0 = min(max(cx - P // 2, 0), S - P)
        xs.append(x[b, :, y0:y0 + P, x0:x0 + P]); ys.append(y[b, :, y0:y0 + P, x0:x0 + P]); rs.append(r[b, :, y0:y0 + P, x0:x0 + P])
    return torch.stack(xs), torch.stack(ys), torch.stack(rs)


def evaluate(net, data, device, n=256):
    vin, vtg, vrg, vmo = data.val
    vin, vtg, vrg, vmo = vin[:n], vtg[:n], vrg[:n], vmo[:n]
    if len(vin) == 0:
        return {}
    with torch.no_grad():
        x = vin[:, None].float().div(255).to(device)
        y = vtg[:, None].float().div(255).to(device)
        r = vrg[:, None].float().div(255).to(device) > 0.5
        m = vmo[:, None].float().div(255).to(device)
        out, A, _ = net.refine(x, m)
        l1 = lambda p, r=r: ((p - y).abs() * r).sum().item() / max(r.sum().item(), 1)
        mo = m > 0.5
        # the same pairs with the inside of the mouth smoothed (what a closed mouth opened at run time looks like)
        gen = torch.Generator().manual_seed(0)
        xs = smooth_mouth(x, m, gen, 1.0)
        outs, As, _ = net.refine(xs, m)
        # and with stretched lips instead (fill_mouth: nothing of the interior left, as after a closed mouth opens);
        # detail: mean |Laplacian| inside the mouth, painted vs the real photo's (1.0 = as much fine structure)
        xf, _ = fill_mouth(x, m, gen, torch.ones(len(x), 1, 1, 1))
        outf, Af, _ = net.refine(xf, m)
        lap = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]], device=x.device).view(1, 1, 3, 3)
        detail = lambda p: (F.conv2d(p, lap, padding=1).abs() * mo).sum().item() / max(mo.sum().item(), 1)
        low = lambda p: ((F.avg_pool2d(p, 4) - F.avg_pool2d(y, 4)).abs() * (F.avg_pool2d(mo.float(), 4) > 0.5)).sum().item() \
            / max((F.avg_pool2d(mo.float(), 4) > 0.5).sum().item(), 1)
        d_real = max(detail(y), 1e-6)
        return {'val_fill_l1_mouth_warp': l1(xf, mo), 'val_fill_l1_mouth_refined': l1(outf, mo),
                'val_fill_low_l1_mouth_warp': low(xf), 'val_fill_low_l1_mouth_refined': low(outf),
                'val_fill_detail_warp': detail(xf) / d_real, 'val_fill_detail_refined': detail(outf) / d_real,
                'val_fill_meanA_mouth': Af[mo].mean().item(), 'val_detail_refined': detail(out) / d_real,
                'val_smooth_detail_refined': detail(outs) / d_real,
                'val_n': len(vin), 'val_l1_mouth_warp': l1(x, mo), 'val_l1_mouth_refined': l1(out, mo),
                'val_smooth_l1_mouth_warp': l1(xs, mo), 'val_smooth_l1_mouth_refined': l1(outs, mo),
                'val_meanA_mouth': A[mo].mean().item(), 'val_smooth_meanA_mouth': As[mo].mean().item(),
                'val_l1_region_warp': l1(x), 'val_l1_region_refined': l1(out),
                'val_l1_all_warp': (x - y).abs().mean().item(), 'val_l1_all_refined': (out - y).abs().mean().item(),
                'val_meanA_region': A[r].mean().item(), 'val_meanA_outside': A[~r].mean().item()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='training/out/refiner-data')
    ap.add_argument('--out', default='training/out/refiner.pt')
    ap.add_argument('--minutes', type=float, default=75)
    ap.add_argument('--max-steps', type=int, default=200000)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--patch', type=int, default=64, help='train on P x P patches of the S x S crops (fully convolutional)')
    ap.add_argument('--lr', type=float, default=5e-4)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--channels', default='16,32,64,64')
    ap.add_argument('--gan-after', type=int, default=500)
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--mask-hint', type=float, default=0.2, help='weight of the BCE hint on A from the round trip damage')
    ap.add_argument('--inputs', type=int, default=2, help='2: luminance + the inner-mouth mask; 1: luminance only (v1)')
    ap.add_argument('--p-mouth', type=float, default=0.5, help='share of patches centred inside an open mouth')
    ap.add_argument('--w-mouth', type=float, default=10.0, help='extra L1 weight inside the (dilated) inner mouth')
    ap.add_argument('--gan-weight', type=float, default=0.05)
    ap.add_argument('--eval-only', action='store_true', help='print the validation figures of --out and stop')
    ap.add_argument('--smooth-mouth', type=float, default=0.0, help='share of samples whose mouth interior input is blurred (smooth_mouth)')
    ap.add_argument('--fill-mouth', type=float, default=0.0,
                    help='share of samples whose mouth interior input becomes stretched lips (fill_mouth); inside those '
                         'mouths the pixel L1 gives way to an L1 of 4x4 means (--w-low), leaving the detail to the GAN')
    ap.add_argument('--w-low', type=float, default=1.0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    gen = torch.Generator().manual_seed(args.seed)
    data = Pairs(args.data)
    ch = tuple(int(c) for c in args.channels.split(','))
    net = Refiner(ch, args.inputs).to(device)
    D = PatchD().to(device)
    optG = torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    step = 0
    log = []
    if args.resume and os.path.exists(args.out):
        ck = torch.load(args.out, map_location=device)
        net.load_state_dict(ck['net']); D.load_state_dict(ck['D'])
        optG.load_state_dict(ck['optG']); optD.load_state_dict(ck['optD'])
        step = ck['step']; log = ck.get('log', [])
        for opt in (optG, optD):  # --lr applies to a resumed run too (the saved optimiser state holds the old one)
            for g in opt.param_groups:
                g['lr'] = args.lr
    # the runtime crop size: the data's, except on mouth windows (refiner_windows.py), which are cut from the resumed
    # checkpoint's crops
    crop_size = int(ck.get('size', data.inp.shape[-1])) if args.resume and os.path.exists(args.out) else int(data.inp.shape[-1])
    if args.eval_only:
        net.eval()
        print(json.dumps({'step': step, **{k: (round(v, 5) if isinstance(v, float) else v) for k, v in evaluate(net, data, device, n=256).items()}}))
        return
    print(f'{len(data)} training pairs, {len(data.val[0])} validation pairs; '
          f'{sum(p.numel() for p in net.parameters())} refiner params; device {device}', flush=True)
    w = gauss_window().to(device)
    t0 = time.time()
    acc = {}

    def save():
        torch.save({'net': net.state_dict(), 'D': D.state_dict(), 'optG': optG.state_dict(), 'optD': optD.state_dict(),
                    'step': step, 'log': log, 'channels': list(ch), 'inputs': args.inputs, 'size': crop_size},
                   args.out + '.tmp')
        os.replace(args.out + '.tmp', args.out)

    while step < args.max_steps and time.time() - t0 < args.minutes * 60:
        if step % 500 == 0 and step > 0 and data.refresh():
            print(f'data refreshed: {len(data)} pairs', flush=True)
        idx = torch.randint(len(data), (args.batch,), generator=gen)
        x = data.inp[idx][:, None].float().div(255)
        y = data.tgt[idx][:, None].float().div(255)
        r = torch.cat([data.reg[idx][:, None], data.mouth[idx][:, None]], 1).float().div(255)
        x, y, r = augment(x, y, r, gen)
        u = torch.rand(args.batch, 1, 1, 1, generator=gen)
        x = smooth_mouth(x, r[:, 1:2], gen, args.smooth_mouth, pick=(u < args.smooth_mouth).float())
        x, hall = fill_mouth(x, r[:, 1:2], gen, ((u >= args.smooth_mouth) & (u < args.smooth_mouth + args.fill_mouth)).float())
        # damage counts only near the mouth / eyes (elsewhere it is the crop's replicated border)
        r = torch.cat([r[:, :1], damage(x, y) * F.max_pool2d(r[:, :1], 9, 1, 4), r[:, 1:], hall], 1)
        x, y, r = take_patches(x, y, r, args.patch, gen, p_mouth=args.p_mouth)
        x, y, r = x.to(device), y.to(device), r.to(device)
        r, dmg, m, hall = r[:, :1], r[:, 1:2], r[:, 2:3], r[:, 3:]
        out, A, C = net.refine(x, m)
        wgt = (1 + 4 * r + 20 * dmg + args.w_mouth * F.max_pool2d(m, 5, 1, 2)) * (1 - hall) + hall
        l1 = ((out - y).abs() * wgt).mean() / wgt.mean()
        if hall.sum() > 0:
            # a painted interior need not match the photo's teeth pixel for pixel: only its 4 x 4 means
            hl = F.avg_pool2d(hall, 4)
            l1 = l1 + args.w_low * ((F.avg_pool2d(out, 4) - F.avg_pool2d(y, 4)).abs() * hl).sum() / hl.sum().clamp(min=1)
        paint = torch.maximum(dmg, hall)  # where A should be low
        dmg = dmg * (1 - hall)  # where C alone is held to the photo pixel for pixel
        ls = 1 - ssim(out * (1 - hall) + y * hall, y, w)
        lA = (1 - A).mean()
        tv = (A[..., 1:, :] - A[..., :-1, :]).abs().mean() + (A[..., :, 1:] - A[..., :, :-1]).abs().mean()
        # auxiliary: C alone must restore the mouth / eye regions, so that painting pays off early
        # (otherwise C gets gradient only through 1 - A, which starts near 0)
        lc = ((C - y).abs() * dmg).sum() / dmg.sum().clamp(min=1) + 0.1 * (C - y).abs().mean()
        # mask hint: the round trip knows what it destroyed. Where the input differs from the original
        # (smoothed |x - y| above ~0.02-0.1) A should be low; BCE does not saturate with the sigmoid.
        lm = (F.binary_cross_entropy(A.clamp(1e-5, 1 - 1e-5), 1 - paint, reduction='none') * (1 + 4 * paint)).mean()
        lossG = l1 + 0.5 * ls + 0.5 * lc + args.mask_hint * lm + 0.01 * lA + 0.05 * tv
        use_gan = step >= args.gan_after
        if use_gan:
            lg = -D(out).mean()
            lossG = lossG + args.gan_weight * lg
        optG.zero_grad(set_to_none=True)
        lossG.backward()
        optG.step()
        if use_gan or step >= args.gan_after - 200:
            ld = F.relu(1 - D(y)).mean() + F.relu(1 + D(out.detach())).mean()
            optD.zero_grad(set_to_none=True)
            ld.backward()
            optD.step()
            acc['d'] = acc.get('d', 0) + ld.item()
            if use_gan:
                acc['g'] = acc.get('g', 0) + lg.item()
        for k, v in (('l1', l1), ('ssim', ls), ('l1C', lc), ('maskBCE', lm), ('meanA', A.mean()), ('tv', tv)):
            acc[k] = acc.get(k, 0) + v.item()
        acc['n'] = acc.get('n', 0) + 1
        step += 1
        if step % 100 == 0:
            n = acc.pop('n')
            rec = {'step': step, 'minutes': round((time.time() - t0) / 60, 2), **{k: round(v / n, 5) for k, v in acc.items()}}
            acc = {}
            if step % 500 == 0:
                net.eval()
                rec.update({k: (round(v, 5) if isinstance(v, float) else v) for k, v in evaluate(net, data, device, n=64).items()})
                net.train()
                save()
            log.append(rec)
            print(json.dumps(rec), flush=True)
    net.eval()
    rec = {'step': step, 'minutes': round((time.time() - t0) / 60, 2), 'final': True,
           **{k: (round(v, 5) if isinstance(v, float) else v) for k, v in evaluate(net, data, device, n=256).items()}}
    log.append(rec)
    print(json.dumps(rec), flush=True)
    save()


if __name__ == '__main__':
    main()
