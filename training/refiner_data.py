"""Round-trip training pairs for the LEED refiner (self-supervised).

For photo x with landmarks L (image points from landmarks.jsonl): sample a target L', warp x from L
to L' (dense motion: piecewise-affine over a Delaunay triangulation of the 468 points plus a
zero-motion ring and far corners), warp the result back from L' to L, and take the aligned crop of
both x and the round trip at S x S. What the round trip destroys (mouth interior when L' closes the
mouth, eyes when L' closes them) is what the refiner must paint.

Targets L' (label-free; faces.csv expressions are never read):
  - another photo's canonical landmarks (lerp toward them by s in [0.5, 1]), or x plus another
    photo's displacement from its person's mean (or from the population mean), s in [0.6, 1.5];
  - plus, at random, a synthetic mouth closing and/or eye closing in canonical space.
Canonical displacements go to x's image frame through the 2-D similarity fitted canonical -> image.

Writes shards training/out/refiner-data/pairs-XXXX.npz: inp (N,S,S) uint8 round trip,
tgt (N,S,S) uint8 original crop, reg (N,S,S) uint8 mouth+eye region (loss weighting only),
mouth (N,S,S) uint8 inside of x's inner lip contour (the refiner's second input: at run time the
target's inner mouth, here L's, which the round trip returns to). `--add-mouth` adds the mouth array
to shards written before it existed (it depends on the landmarks only, not on the random warps).

  nice /usr/bin/python3 training/refiner_data.py --landmarks data-out/landmarks.jsonl \
      --images ../shared/data/faces/images --out training/out/refiner-data --size 128 --variants 2
"""
import argparse
import base64
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from scipy.spatial import Delaunay

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refiner_common import (FACE_OVAL, INNER_LOWER, INNER_UPPER, L_EYE_CREASE, L_EYE_LOWER, L_EYE_RING,
                            L_EYE_UPPER, LIPS_OUTER, R_EYE_CREASE, R_EYE_LOWER, R_EYE_RING, R_EYE_UPPER,
                            crop_canonical_grid, fit_similarity_3d_affine2, inner_mouth_mask)


def decode(b64):
    return np.frombuffer(base64.b64decode(b64), np.float32).reshape(468, 3).astype(np.float64)


def load_records(path):
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if r.get('status') != 'ok':
                continue
            recs.append({'person': r['person'], 'image': r['image'],
                         'canon': decode(r['canonical']), 'pts': decode(r['points'])})
    return recs


def close_mouth(c, t):
    """Canonical points with the mouth closed by fraction t (inner lips meet, jaw follows)."""
    c = c.copy()
    u, l = c[INNER_UPPER], c[INNER_LOWER]
    gap = np.clip(l[:, 1] - u[:, 1], 0, None)
    G = gap.mean()
    if G < 1e-3:
        return c
    mx = c[INNER_UPPER + INNER_LOWER, 0].mean()
    my = (u[:, 1].mean() + l[:, 1].mean()) / 2
    wx = np.exp(-((c[:, 0] - mx) ** 2) / (2 * 0.55 ** 2))
    below = c[:, 1] > my
    dy = np.where(below, -t * G / 2 * wx * np.exp(-((c[:, 1] - my) ** 2) / (2 * 0.9 ** 2)),
                  t * G / 2 * wx * np.exp(-((c[:, 1] - my) ** 2) / (2 * 0.25 ** 2)))
    c[:, 1] += dy
    # inner lips exactly toward their pairwise midpoints
    mid = (u + l) / 2
    c[INNER_UPPER] = u + t * (mid - u)
    c[INNER_LOWER] = l + t * (mid - l)
    return c


def close_eyes(c, t):
    c = c.copy()
    for up, lo, cr in ((R_EYE_UPPER, R_EYE_LOWER, R_EYE_CREASE), (L_EYE_UPPER, L_EYE_LOWER, L_EYE_CREASE)):
        u, l = c[up].copy(), c[lo].copy()
        d = l - u
        c[up] = u + t * 0.85 * d
        c[lo] = l - t * 0.15 * d
        c[cr] = c[cr] + t * 0.45 * d
    return c


def open_mouth_amount(c):
    return float(np.clip(c[INNER_LOWER, 1] - c[INNER_UPPER, 1], 0, None).mean())


def ring_points(pts2):
    oval = pts2[FACE_OVAL]
    ctr = oval.mean(0)
    ring = ctr + 1.35 * (oval - ctr)
    far = np.array([[-2000, -2000], [2256, -2000], [2256, 2256], [-2000, 2256]], np.float64)
    return np.concatenate([ring, far], 0)


def piecewise_map(src_pts, dst_pts, query):
    """For query points in the frame of src_pts: the points of dst_pts' frame they map to
    (barycentric interpolation over a Delaunay triangulation of src_pts)."""
    tri = Delaunay(src_pts)
    s = tri.find_simplex(query)
    s = np.where(s < 0, 0, s)
    T = tri.transform[s]
    b = np.einsum('nij,nj->ni', T[:, :2], query - T[:, 2])
    bary = np.concatenate([b, 1 - b.sum(1, keepdims=True)], 1)
    verts = tri.simplices[s]
    return np.einsum('ni,nij->nj', bary, dst_pts[verts])


def to_grid(coords, W, H):
    """Image coords (pixel i centred at i) -> grid_sample normalised coords (align_corners=False)."""
    g = np.empty_like(coords)
    g[..., 0] = (coords[..., 0] * 2 + 1) / W - 1
    g[..., 1] = (coords[..., 1] * 2 + 1) / H - 1
    return torch.from_numpy(g.astype(np.float32))


def sample(img_t, coords, W, H):
    """img_t [1,1,H,W]; coords (h,w,2) image continuous coords -> (h,w) float, border replicate."""
    g = to_grid(coords, W, H)[None]
    return F.grid_sample(img_t, g, mode='bilinear', padding_mode='border', align_corners=False)[0, 0]


def region_mask(pts_crop, S):
    """Mouth and eye regions (crop pixel coords), dilated; for loss weighting only."""
    im = Image.new('L', (S, S), 0)
    d = ImageDraw.Draw(im)
    for ring, grow in ((LIPS_OUTER, 1.35), (R_EYE_RING, 1.6), (L_EYE_RING, 1.6)):
        p = pts_crop[ring]
        c = p.mean(0)
        p = c + grow * (p - c)
        d.polygon([tuple(q) for q in p], fill=255)
    return np.asarray(im, np.uint8)


def crop_points(rec, S):
    """x's landmarks in aligned-crop pixel units (pixel u's centre at u + 0.5)."""
    M, t = fit_similarity_3d_affine2(rec['canon'], rec['pts'])
    return (np.linalg.solve(M, (rec['pts'][:, :2] - t).T).T - (np.array([0.0, 0.45]) - 1.5)) / 3.0 * S


def mouth_input(rec, S):
    return (inner_mouth_mask(crop_points(rec, S), S) * 255).astype(np.uint8)


def make_pair(rec, other, person_mean, pop_mean, rng, S, img, grid_canon):
    H, W = img.shape
    c = rec['canon']
    pts2 = rec['pts'][:, :2]
    M, t = fit_similarity_3d_affine2(c, rec['pts'])
    # ---- target in canonical space
    oc = other['canon']
    if rng.random() < 0.5:
        s = rng.uniform(0.5, 1.0)
        ct = c + s * (oc - c)
    else:
        base = person_mean.get(other['person'])
        d = oc - (base if base is not None else pop_mean)
        ct = c + rng.uniform(0.6, 1.5) * d
    opened = open_mouth_amount(c)
    p_close = 0.8 if opened > 0.06 else 0.3
    if rng.random() < p_close:
        ct = close_mouth(ct, rng.uniform(0.5, 1.0))
    if rng.random() < 0.25:
        ct = close_eyes(ct, rng.uniform(0.6, 1.0))
    ptsT = pts2 + (ct - c)[:, :2] @ M.T
    ring = ring_points(pts2)
    Ls = np.concatenate([pts2, ring], 0)
    Lt = np.concatenate([ptsT, ring], 0)
    img_t = torch.from_numpy(img.astype(np.float32) / 255.0)[None, None]
    # forward warp x: L -> L' (backward map over the target's triangulation, on a half-resolution
    # grid of pixel corners, bilinearly upsampled: the map is piecewise affine and smooth)
    g = 2
    gh, gw = H // g + 1, W // g + 1
    yy, xx = np.mgrid[0:gh, 0:gw]
    q = np.stack([xx.ravel() * g, yy.ravel() * g], 1).astype(np.float64)
    disp_c = (piecewise_map(Lt, Ls, q) - q).reshape(gh, gw, 2)
    disp_t = torch.from_numpy(disp_c.astype(np.float32)).permute(2, 0, 1)[None]
    # coarse grid -> every pixel: pixel i sits at i / g in coarse-grid units
    cy = np.arange(H) / g
    cx = np.arange(W) / g
    gx, gy = np.meshgrid(cx / (gw - 1) * 2 - 1, cy / (gh - 1) * 2 - 1)
    gg = torch.from_numpy(np.stack([gx, gy], -1).astype(np.float32))[None]
    disp = F.grid_sample(disp_t, gg, mode='bilinear', padding_mode='border', align_corners=True)[0].permute(1, 2, 0).numpy()
    yy, xx = np.mgrid[0:H, 0:W]
    src = np.stack([xx, yy], -1).astype(np.float64) + disp
    warped = sample(img_t, src, W, H)
    # back L' -> L, sampled directly at the crop
    crop_img = grid_canon.reshape(-1, 2) @ M.T + t
    back = piecewise_map(Ls, Lt, crop_img).reshape(S, S, 2)
    rt = sample(warped[None, None], back, W, H)
    # quantise the intermediate like an 8-bit image would be
    tgt = sample(img_t, crop_img.reshape(S, S, 2), W, H)
    reg = region_mask(crop_points(rec, S), S)
    q8 = lambda a: np.clip(np.round(a.numpy() * 255), 0, 255).astype(np.uint8)
    return q8(rt), q8(tgt), reg, mouth_input(rec, S)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--landmarks', default='data-out/landmarks.jsonl')
    ap.add_argument('--images', default='../shared/data/faces/images')
    ap.add_argument('--out', default='training/out/refiner-data')
    ap.add_argument('--size', type=int, default=128)
    ap.add_argument('--variants', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--shard', type=int, default=1000)
    ap.add_argument('--skip-done', action='store_true', help='only photos not in existing shards (incremental)')
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--add-mouth', action='store_true', help='only add the mouth array to existing shards')
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    recs = load_records(args.landmarks)
    recs.sort(key=lambda r: r['image'])
    pop_mean = np.mean([r['canon'] for r in recs], 0)
    by_person = {}
    for r in recs:
        by_person.setdefault(r['person'], []).append(r['canon'])
    person_mean = {k: np.mean(v, 0) for k, v in by_person.items() if len(v) >= 2}
    if args.add_mouth:
        by_image = {r['image']: r for r in recs}
        for f in sorted(f for f in os.listdir(args.out) if f.startswith('pairs-') and f.endswith('.npz')):
            path = os.path.join(args.out, f)
            with np.load(path) as z:
                arrays = {k: z[k] for k in z.files}
            S = arrays['inp'].shape[-1]
            arrays['mouth'] = np.stack([mouth_input(by_image[n], S) for n in arrays['images']])
            np.savez(path + '.tmp.npz', **arrays)
            os.replace(path + '.tmp.npz', path)
            print(f'{f}: mouth added ({(arrays["mouth"].reshape(len(arrays["mouth"]), -1).max(1) > 0).mean():.0%} with an open mouth)', flush=True)
        return
    done = set()
    existing = sorted(f for f in os.listdir(args.out) if f.startswith('pairs-') and f.endswith('.npz'))
    if args.skip_done:
        for f in existing:
            with np.load(os.path.join(args.out, f)) as z:
                done.update(z['images'].tolist())
    todo = [r for r in recs if r['image'] not in done]
    if args.limit:
        todo = todo[:args.limit]
    print(f'{len(recs)} ok records, {len(person_mean)} people with >= 2 photos, {len(todo)} to do', flush=True)
    grid_canon = crop_canonical_grid(args.size)
    shard_no = len(existing)
    buf = {'inp': [], 'tgt': [], 'reg': [], 'mouth': [], 'images': []}
    t0 = time.time()

    def flush():
        nonlocal shard_no
        if not buf['inp']:
            return
        path = os.path.join(args.out, f'pairs-{shard_no:04d}.npz')
        np.savez(path, inp=np.stack(buf['inp']), tgt=np.stack(buf['tgt']), reg=np.stack(buf['reg']),
                 mouth=np.stack(buf['mouth']), images=np.array(buf['images']))
        shard_no += 1
        for v in buf.values():
            v.clear()

    for i, r in enumerate(todo):
        # per-photo generator: the same photo gets the same pairs whatever else is in the file
        rng = np.random.default_rng([args.seed, int.from_bytes(r['image'].encode()[:16].ljust(16, b'\0'), 'little') % (2 ** 63)])
        try:
            img = np.asarray(Image.open(os.path.join(args.images, r['image'])).convert('L'))
        except OSError as e:
            print('skip', r['image'], e, flush=True)
            continue
        for _ in range(args.variants):
            o = recs[rng.integers(len(recs))]
            inp, tgt, reg, mouth = make_pair(r, o, person_mean, pop_mean, rng, args.size, img, grid_canon)
            buf['inp'].append(inp); buf['tgt'].append(tgt); buf['reg'].append(reg); buf['mouth'].append(mouth)
            buf['images'].append(r['image'])
        if len(buf['inp']) >= args.shard:
            flush()
        if (i + 1) % 200 == 0:
            el = time.time() - t0
            print(f'{i + 1}/{len(todo)} photos, {el:.0f}s, {el / (i + 1) * 1000:.0f} ms/photo', flush=True)
    flush()
    print(f'done in {time.time() - t0:.0f}s', flush=True)


if __name__ == '__main__':
    main()
