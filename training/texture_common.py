"""The expression-texture network and the fields it works with, mirrored by src/engine/render/texture.ts.

A warp moves pixels; it cannot add or take away what an expression does to the skin: the shading of a raised
cheek, the nasolabial fold, a lower lid pushed up, crow's feet, a frown's creases. The texture network paints
that change as a gain on the render session's aligned crop (aligned-crop.ts, S = 128):

    out = warped * (1 + M * gain(M, motion))

- `motion`: where each crop pixel of the target came from in the source, interpolated from the landmarks'
  displacement (source - target, crop pixels) with Gaussian weights around the target landmarks (`shepard`),
  on a 64 x 64 grid; the network takes it divided by MOTION_SCALE.
- `M`: the skin it may change: the face (Gaussian coverage of the 468 target landmarks) less the mouth (an
  ellipse around the outer lip ring; the mouth's inside and lips are the refiner's and mouth-interior.ts's) and
  the eyeballs (ellipses inside the eye rings: an iris stays as it is).

Every field here is a pure function of the landmarks in crop pixels (pixel centres at integers), so the
TypeScript mirror computes the same numbers (tests/texture.test.ts against a golden fixture).
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from landmark_sets import FACE_OVAL, LIPS_OUTER, R_EYE_RING, L_EYE_RING

S = 128
GRID = 64          # the fields are computed on GRID x GRID cells, then resized to S (bilinear, half-pixel centres)
SIGMA = 5.0        # Gaussian of the landmark weights, crop pixels
EPS = 0.35         # weight of "no motion" in the interpolation (far from every landmark the motion fades to 0)
MOTION_SCALE = 8.0
MOUTH_MARGIN = 3.0  # crop pixels around the outer lip ring's box
MOUTH_FADE = (1.0, 1.7)  # ellipse radius^2: mouth fully excluded inside the first, not at all beyond the second
EYE_FADE = (0.55, 1.0)   # the same for the eyeballs (ellipse of the eye ring's box)
EDGE = 6.0               # the app's gain fades in over this distance (crop px) inside the face oval


def grid_centres(n, device=None):
    """Crop-pixel coordinates of the centres of an n x n grid over the S x S crop: [n*n, 2] (x, y)."""
    step = S / n
    c = (torch.arange(n, dtype=torch.float32, device=device) + 0.5) * step - 0.5
    y, x = torch.meshgrid(c, c, indexing='ij')
    return torch.stack([x.reshape(-1), y.reshape(-1)], 1)


def shepard(target, source):
    """target, source: [B, 468, 2] crop px -> (motion [B, 2, GRID, GRID] = source - target interpolated at the
    grid, coverage [B, 1, GRID, GRID] = sum of the weights)."""
    g = grid_centres(GRID, target.device)                                  # [G, 2]
    d2 = ((g[None, :, None, :] - target[:, None, :, :]) ** 2).sum(-1)     # [B, G, 468]
    w = torch.exp(-d2 / (2 * SIGMA * SIGMA))
    cov = w.sum(-1)                                                        # [B, G]
    mot = torch.einsum('bgk,bkc->bgc', w, source - target) / (cov[..., None] + EPS)
    B = target.shape[0]
    return (mot.permute(0, 2, 1).reshape(B, 2, GRID, GRID), cov.reshape(B, 1, GRID, GRID))


def up(x):
    return F.interpolate(x, size=(S, S), mode='bilinear', align_corners=False)


def smoothstep(e0, e1, x):
    t = ((x - e0) / (e1 - e0)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def ellipse_inside(target, ring, margin, fade):
    """1 inside the ellipse of the box of `ring` (grown by `margin`), fading to 0 over `fade` (radius^2): [B,1,S,S]."""
    p = target[:, ring, :]
    lo = p.min(1).values - margin
    hi = p.max(1).values + margin
    c = (lo + hi) / 2
    ax = ((hi - lo) / 2).clamp(min=1.0)
    g = grid_centres(S, target.device)
    r2 = (((g[None] - c[:, None]) / ax[:, None]) ** 2).sum(-1)           # [B, S*S]
    return (1 - smoothstep(fade[0], fade[1], r2)).reshape(-1, 1, S, S)


def skin_mask(target, cov):
    """M [B,1,S,S]: face coverage less mouth and eyeballs."""
    face = smoothstep(0.3, 1.0, up(cov))
    mouth = ellipse_inside(target, LIPS_OUTER, MOUTH_MARGIN, MOUTH_FADE)
    eyes = torch.maximum(ellipse_inside(target, R_EYE_RING, 0.0, EYE_FADE), ellipse_inside(target, L_EYE_RING, 0.0, EYE_FADE))
    return face * (1 - mouth) * (1 - eyes)


def edge_mask(target):
    """Where the app applies the gain, [B,1,S,S]: 0 outside the face oval (a closed polygon of the target landmarks),
    rising to 1 at EDGE crop px inside it (smoothstep of the distance to the outline). The network's M reaches past
    the outline, and what it learned there (the background beside the cheek) is not skin."""
    g = grid_centres(S, target.device)                                     # [P, 2]
    poly = target[:, FACE_OVAL, :]                                         # [B, K, 2]
    a = poly
    b = torch.roll(poly, -1, 1)
    ab = b - a                                                             # [B, K, 2]
    ap_ = g[None, :, None, :] - a[:, None]                                 # [B, P, K, 2]
    t = ((ap_ * ab[:, None]).sum(-1) / (ab * ab).sum(-1).clamp(min=1e-9)[:, None]).clamp(0, 1)
    dist = ((ap_ - t[..., None] * ab[:, None]) ** 2).sum(-1).sqrt().min(-1).values   # [B, P]
    # even-odd rule: edges that straddle the pixel's row, crossed to its right
    ya, yb = a[..., 1][:, None], b[..., 1][:, None]
    px, py = g[None, :, None, 0], g[None, :, None, 1]
    straddle = (ya > py) != (yb > py)
    xcross = a[..., 0][:, None] + (py - ya) / torch.where(yb - ya == 0, torch.ones_like(yb), yb - ya) * (b[..., 0] - a[..., 0])[:, None]
    inside = ((straddle & (px < xcross)).sum(-1) % 2) == 1
    return (inside.float() * smoothstep(0.0, EDGE, dist)).reshape(-1, 1, S, S)


def fields(target, source):
    """(M [B,1,S,S], motion for the network [B,2,GRID,GRID], backward motion at S [B,2,S,S] crop px)."""
    mot, cov = shepard(target, source)
    return skin_mask(target, cov), mot / MOTION_SCALE, up(mot)


ODD_FEATURES = 6  # the product form's motion features: x and y at the grid, at half and at a quarter of it


class TextureNet(nn.Module):
    """A U-Net over the motion alone, at GRID x GRID: motion (2, / MOTION_SCALE) and M (pooled to GRID) in, a
    gain per RGB channel out (0.5 * tanh), resized to S: out = warped * (1 + M * gain). It never sees the
    photo, so it cannot repaint it, blur it or change who it is: it learns what a motion does to the skin's
    shading on average (an expression ratio image, learned from pairs without labels). Layer names match the
    exported weights (texture.ts)."""

    def __init__(self, ch=(24, 48, 64), form='plain'):
        super().__init__()
        c1, c2, c3 = ch
        conv = lambda i, o: nn.Conv2d(i, o, 3, padding=1)
        self.form = form
        self.e1a, self.e1b = conv(4 if form == 'product' else 3, c1), conv(c1, c1)
        self.e2a, self.e2b = conv(c1, c2), conv(c2, c2)
        self.e3a, self.e3b = conv(c2, c3), conv(c3, c3)
        self.d2a, self.d2b = conv(c3 + c2, c2), conv(c2, c2)
        self.d1a, self.d1b = conv(c2 + c1, c1), conv(c1, c1)
        self.out = nn.Conv2d(c1, 3 * ODD_FEATURES if form == 'product' else 3, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.ch = ch

    def forward(self, m, motion):
        """m [B,1,S,S], motion [B,2,GRID,GRID] (already / MOTION_SCALE) -> gain [B,3,S,S]."""
        return up(self.on_grid(motion, F.avg_pool2d(m, S // GRID)))

    def on_grid(self, motion, m_grid):
        """The gain on the grid, before the resize to S: motion [B,2,GRID,GRID], M pooled to the grid [B,1,GRID,GRID]."""
        a = lambda x: F.leaky_relu(x, 0.2)
        blk = lambda x, p, q: a(q(a(p(x))))
        mx, my = motion[:, :1], motion[:, 1:]
        x = torch.cat([m_grid, mx * mx, my * my, mx * my], 1) if self.form == 'product' else torch.cat([motion, m_grid], 1)
        e1 = blk(x, self.e1a, self.e1b)
        e2 = blk(F.avg_pool2d(e1, 2), self.e2a, self.e2b)
        e3 = blk(F.avg_pool2d(e2, 2), self.e3a, self.e3b)
        upn = lambda t: F.interpolate(t, scale_factor=2, mode='nearest')
        d2 = blk(torch.cat([upn(e3), e2], 1), self.d2a, self.d2b)
        d1 = blk(torch.cat([upn(d2), e1], 1), self.d1a, self.d1b)
        o = self.out(d1)
        if self.form == 'product':
            # odd by construction: coefficients from even inputs (M and the motion's squares) times the motion itself
            # at three scales, so net(M, -motion) = -net(M, motion) in one run
            odd = torch.cat([motion, upn(F.avg_pool2d(motion, 2)), upn(upn(F.avg_pool2d(motion, 4)))], 1)
            o = (o.view(len(o), 3, ODD_FEATURES, GRID, GRID) * odd[:, None]).sum(2)
        return 0.5 * torch.tanh(o)

    def edit(self, warped, target, source):
        m, motion, _ = fields(target, source)
        return (warped * (1 + m * self(m, motion))).clamp(0, 1), m


LAYERS = ['e1a', 'e1b', 'e2a', 'e2b', 'e3a', 'e3b', 'd2a', 'd2b', 'd1a', 'd1b', 'out']


def load_net(path):
    """TextureNet with the weights of a checkpoint (.pt) or of the exported texture.json + .bin (kernels HWIO)."""
    if path.endswith('.pt'):
        ck = torch.load(path, map_location='cpu')
        net = TextureNet(tuple(ck['ch']), ck.get('form', 'plain'))
        net.load_state_dict(ck['state'])
        return net
    model = json.load(open(path))
    net = TextureNet(tuple(model['config']['channels']), model['config'].get('form', 'plain'))
    blob = open(os.path.join(os.path.dirname(path), model['weightsManifest'][0]['paths'][0]), 'rb').read()
    at, arrays = 0, {}
    for spec in model['weightsManifest'][0]['weights']:
        n = int(np.prod(spec['shape']))
        arrays[spec['name']] = np.frombuffer(blob, dtype='<f4', count=n, offset=at).reshape(spec['shape'])
        at += 4 * n
    with torch.no_grad():
        for name in LAYERS:
            conv = getattr(net, name)
            conv.weight.copy_(torch.from_numpy(arrays[f'{name}/kernel'].transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(arrays[f'{name}/bias'].copy()))
    return net
