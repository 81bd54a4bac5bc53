"""Shared pieces of the LEED refiner: the aligned crop, landmark index sets, the network.

The aligned crop (shared with the warp engine, do not change): a square in the canonical frame
(IOD units, y down) centred at canonical (0, 0.45), side 3.0, axis-aligned in canonical x/y,
sampled at S x S. Crop pixel (u, v) has its centre at canonical
    x = (u + 0.5) / S * 3.0 - 1.5,   y = 0.45 + (v + 0.5) / S * 3.0 - 1.5
and image pixel i has its centre at coordinate i (tf.image.transform's convention, as
src/engine/render/aligned-crop.ts). The crop's place in the image is the 2-D part of the face's 3-D
canonical -> image similarity (image xy = scale * R[:2, :2] @ canonical xy + translation[:2]; a
parallelogram under yaw), exactly as composite.ts alignedCropRect. Pixels outside the image replicate
the border.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import numpy as np

# MediaPipe FaceMesh (468) index sets: src/engine/landmark-sets.json, shared with the TypeScript engine
# (re-exported here for refiner_data.py and refiner_export.py).
from landmark_sets import (FACE_OVAL, INNER_LOWER, INNER_MOUTH_RING, INNER_UPPER, L_EYE_CREASE, L_EYE_LOWER,  # noqa: F401
                           L_EYE_RING, L_EYE_UPPER, LIPS_OUTER, MOUTH_CORNERS_INNER, R_EYE_CREASE, R_EYE_LOWER, R_EYE_RING,
                           R_EYE_UPPER, STABLE_POINTS)

CROP_CENTER = (0.0, 0.45)
CROP_SIDE = 3.0


def fit_similarity_2d(src, dst, idx=STABLE_POINTS):
    """Least-squares 2-D similarity dst ~ M @ src + t (Umeyama) on the given indices. Returns (M 2x2, t 2)."""
    a = src[idx, :2].astype(np.float64)
    b = dst[idx, :2].astype(np.float64)
    ma, mb = a.mean(0), b.mean(0)
    a0, b0 = a - ma, b - mb
    cov = b0.T @ a0 / len(idx)
    U, D, Vt = np.linalg.svd(cov)
    s = np.sign(np.linalg.det(U) * np.linalg.det(Vt))
    S = np.diag([1.0, s])
    R = U @ S @ Vt
    scale = (D * np.diag(S)).sum() / (a0 ** 2).sum(1).mean()
    M = scale * R
    return M, mb - M @ ma


def fit_similarity_3d_affine2(canon, pts):
    """The face's canonical -> image 3-D similarity (Umeyama on all 468 points: the canonical points
    in landmarks.jsonl are exactly the inverse similarity of the image points), reduced to 2-D like
    composite.ts: returns (M = scale * R[:2, :2], t = translation[:2])."""
    a = canon.astype(np.float64)
    b = pts.astype(np.float64)
    ma, mb = a.mean(0), b.mean(0)
    a0, b0 = a - ma, b - mb
    cov = b0.T @ a0 / len(a)
    U, D, Vt = np.linalg.svd(cov)
    s = np.sign(np.linalg.det(U) * np.linalg.det(Vt))
    S = np.diag([1.0, 1.0, s])
    R = U @ S @ Vt
    scale = (D * np.diag(S)).sum() / (a0 ** 2).sum(1).mean()
    t = mb - scale * R @ ma
    return scale * R[:2, :2], t[:2]


def crop_canonical_grid(S):
    """Canonical x, y of the centres of the S x S crop pixels, shape (S, S, 2)."""
    c = (np.arange(S) + 0.5) / S * CROP_SIDE - CROP_SIDE / 2
    xs = c + CROP_CENTER[0]
    ys = c + CROP_CENTER[1]
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx, gy], -1)


def inner_mouth_mask(pts_crop, S):
    """The refiner's second input: 1 at crop pixels whose centre (u + 0.5, v + 0.5) lies inside the inner lip
    contour (even-odd rule), else 0. pts_crop: (468, >=2) landmarks in crop pixel units. Mirrored exactly by
    src/engine/render/mouth-mask.ts (parity checked through tests/fixtures/refiner-golden.json)."""
    poly = np.asarray(pts_crop, np.float64)[INNER_MOUTH_RING, :2]
    v, u = np.mgrid[0:S, 0:S]
    px, py = u.ravel() + 0.5, v.ravel() + 0.5
    inside = np.zeros(S * S, bool)
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if y1 == y2:
            continue
        crosses = (y1 > py) != (y2 > py)
        xc = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < xc)
    return inside.reshape(S, S).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# The network. Everything maps 1:1 onto tfjs ops (src/engine/render/refine.ts):
#   conv3x3 stride 1 zero padding 1 == tf.conv2d(..., 1, 'same'); avg_pool 2 == tf.avgPool(2, 2, 'valid');
#   nearest x2 upsample == tf.image.resizeNearestNeighbor(x, [2h, 2w]); leaky_relu(0.2) == tf.leakyRelu(0.2).
# Input: Y in 0..1 normalised to (Y - 0.5) / 0.5, shape [B, 1, S, S]; with inputs=2 also the target's
# inner-mouth mask M (0/1, inner_mouth_mask) as a second channel, normalised the same way.
# Output: A = sigmoid(o0) (1 = keep the warped pixel), C = (tanh(o1) + 1) / 2 (painted luminance, 0..1).
# ----------------------------------------------------------------------------------------------


def fill_mouth(x, m, gen, pick, dark=None, streaks=True):
    """For the samples where pick is 1, the inside of the mouth (m dilated 2 px) is replaced by stretched lips, as the
    warp leaves a closed mouth that a preset opens: per column a straight blend from the pixel just above the mouth to
    the one just below, darkened by a random factor (the seam between closed lips is darker than the lips), with
    faint vertical streaks. Unlike smooth_mouth this keeps nothing of the real interior (no teeth, no cavity), so the
    network must paint one from the mask alone, as it must at run time. With dark given and streaks off it is
    deterministic: what the render session does (src/engine/render/mouth-mask.ts lipStretchPlan, dark 0.7; the parity
    fixture holds this function's output)."""
    B, _, H, W = x.shape
    mm = F.max_pool2d(m, 5, 1, 2) > 0.5
    rows = torch.arange(H, device=x.device).view(1, 1, H, 1).expand(B, 1, H, W)
    above = torch.where(mm, torch.full_like(rows, -1), rows).cummax(2).values.clamp(0, H - 1)
    below = torch.where(mm, torch.full_like(rows, H), rows).flip(2).cummin(2).values.flip(2).clamp(0, H - 1)
    va, vb = x.gather(2, above), x.gather(2, below)
    t = ((rows - above).float() / (below - above).clamp(min=1).float()).clamp(0, 1)
    if dark is None:
        dark = (0.45 + 0.55 * torch.rand(B, 1, 1, 1, generator=gen)).to(x.device)
    bow = 1 - (1 - dark) * torch.sin(math.pi * t)  # darkest half-way between the lips
    streak = (1 + 0.06 * torch.randn(B, 1, 1, W, generator=gen)).to(x.device) if streaks else 1.0
    fill = ((va + t * (vb - va)) * bow * streak).clamp(0, 1)
    sel = mm & (pick.to(x.device) > 0.5)
    return torch.where(sel, fill, x), sel.float()


class Refiner(nn.Module):
    def __init__(self, ch=(16, 32, 64, 64), inputs=1):
        super().__init__()
        c1, c2, c3, c4 = ch
        self.ch = list(ch)
        self.inputs = inputs
        conv = lambda i, o: nn.Conv2d(i, o, 3, 1, 1)
        self.e1a, self.e1b = conv(inputs, c1), conv(c1, c1)
        self.e2a, self.e2b = conv(c1, c2), conv(c2, c2)
        self.e3a, self.e3b = conv(c2, c3), conv(c3, c3)
        self.e4a, self.e4b = conv(c3, c4), conv(c4, c4)
        self.d3a, self.d3b = conv(c4 + c3, c3), conv(c3, c3)
        self.d2a, self.d2b = conv(c3 + c2, c2), conv(c2, c2)
        self.d1a, self.d1b = conv(c2 + c1, c1), conv(c1, c1)
        self.out = nn.Conv2d(c1, 2, 1, 1, 0)
        # start close to "keep the warp": A ~ sigmoid(3) = 0.95
        nn.init.zeros_(self.out.weight)
        with torch.no_grad():
            self.out.bias.copy_(torch.tensor([3.0, 0.0]))

    # order of layers in the exported weights
    LAYERS = ['e1a', 'e1b', 'e2a', 'e2b', 'e3a', 'e3b', 'e4a', 'e4b', 'd3a', 'd3b', 'd2a', 'd2b', 'd1a', 'd1b', 'out']

    def forward(self, y, m=None):
        """y: [B,1,S,S] luminance 0..1; m: [B,1,S,S] inner-mouth mask (models with inputs=2). Returns A, C."""
        act = lambda t: F.leaky_relu(t, 0.2)
        if self.inputs == 2:
            y = torch.cat([y, m if m is not None else torch.zeros_like(y)], 1)
        x = (y - 0.5) / 0.5
        e1 = act(self.e1b(act(self.e1a(x))))
        e2 = act(self.e2b(act(self.e2a(F.avg_pool2d(e1, 2)))))
        e3 = act(self.e3b(act(self.e3a(F.avg_pool2d(e2, 2)))))
        e4 = act(self.e4b(act(self.e4a(F.avg_pool2d(e3, 2)))))
        up = lambda t: F.interpolate(t, scale_factor=2, mode='nearest')
        d3 = act(self.d3b(act(self.d3a(torch.cat([up(e4), e3], 1)))))
        d2 = act(self.d2b(act(self.d2a(torch.cat([up(d3), e2], 1)))))
        d1 = act(self.d1b(act(self.d1a(torch.cat([up(d2), e1], 1)))))
        o = self.out(d1)
        A = torch.sigmoid(o[:, :1])
        C = (torch.tanh(o[:, 1:2]) + 1) / 2
        return A, C

    def refine(self, y, m=None):
        A, C = self(y, m)
        return A * y + (1 - A) * C, A, C


class PatchD(nn.Module):
    """Small patch discriminator (hinge loss), on luminance; training only."""
    def __init__(self, ch=32):
        super().__init__()
        sn = nn.utils.spectral_norm
        self.net = nn.Sequential(
            sn(nn.Conv2d(1, ch, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch, ch * 2, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch * 2, ch * 4, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch * 4, 1, 3, 1, 1)),
        )

    def forward(self, y):
        return self.net((y - 0.5) / 0.5)
