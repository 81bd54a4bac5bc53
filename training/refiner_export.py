"""Export the trained refiner to tfjs weights + the parity golden fixture.

  /usr/bin/python3 training/refiner_export.py --ckpt training/out/refiner.pt

Writes public/models/leed/refiner.json (config + "weightsManifest"), public/models/leed/refiner.bin
(float32, conv kernels as [kh, kw, in, out]), adds their sha256 to public/models/manifest.json, and
writes tests/fixtures/refiner-golden.json: a 24x24 deterministic pseudo-random luminance input
(uint8, stored), for 2-input models an inner-mouth mask (a fixed polygon rasterised by
refiner_common.inner_mouth_mask, stored with its polygon so that the TypeScript rasteriser is checked
too), and the PyTorch outputs A and out (float32, base64) for the tfjs parity test.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refiner_common import CROP_CENTER, CROP_SIDE, INNER_MOUTH_RING, Refiner, fill_mouth, inner_mouth_mask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


STRETCH_DARK = 0.7  # src/engine/render/mouth-mask.ts STRETCH_DARK


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='training/out/refiner.pt')
    ap.add_argument('--out-dir', default='public/models/leed')
    ap.add_argument('--fixture', default='tests/fixtures/refiner-golden.json')
    ap.add_argument('--chroma-attenuation', type=float, default=0.5)
    args = ap.parse_args()
    ck = torch.load(args.ckpt, map_location='cpu')
    inputs = int(ck.get('inputs', 1))
    net = Refiner(tuple(ck['channels']), inputs)
    net.load_state_dict(ck['net'])
    net.eval()
    os.makedirs(args.out_dir, exist_ok=True)
    specs, blobs = [], []
    for name in Refiner.LAYERS:
        conv = getattr(net, name)
        k = conv.weight.detach().numpy().transpose(2, 3, 1, 0).astype('<f4')  # [kh, kw, in, out]
        b = conv.bias.detach().numpy().astype('<f4')
        for suffix, arr in (('kernel', k), ('bias', b)):
            specs.append({'name': f'{name}/{suffix}', 'shape': list(arr.shape), 'dtype': 'float32'})
            blobs.append(np.ascontiguousarray(arr).tobytes())
    bin_path = os.path.join(args.out_dir, 'refiner.bin')
    with open(bin_path, 'wb') as f:
        f.write(b''.join(blobs))
    final = [r for r in ck.get('log', []) if r.get('final')]
    model = {
        'format': 'leed-refiner',
        'version': 1,
        'config': {
            'size': int(ck['size']),
            'channels': list(ck['channels']),
            'crop': {'center': list(CROP_CENTER), 'side': CROP_SIDE, 'units': 'canonical IOD, axis-aligned, y down'},
            'inputs': inputs,
            'input': ('luminance Y = 0.299 R + 0.587 G + 0.114 B in 0..1' +
                      (' and, as a second channel, the target\'s inner-mouth mask M (0/1, src/engine/render/mouth-mask.ts)' if inputs == 2 else '') +
                      f', normalised (v - 0.5) / 0.5, NHWC [1, H, W, {inputs}], H and W multiples of 8'),
            'output': 'A = sigmoid(out[...,0]) (1 = keep the warped pixel), C = (tanh(out[...,1]) + 1) / 2; Y_out = A * Y + (1 - A) * C',
            'chroma': 'Cb/Cr (BT.601 full range) carried: chroma_out = chroma * (A + (1 - A) * chromaAttenuation)',
            'chromaAttenuation': args.chroma_attenuation,
            'architecture': ('U-Net, leaky ReLU 0.2 after every 3x3 conv (stride 1, zero padding "same"); '
                             'encoder e1a,e1b | avgPool 2 | e2a,e2b | avgPool 2 | e3a,e3b | avgPool 2 | e4a,e4b; '
                             'decoder: nearest x2, concat [up, skip] on channels, d3a,d3b; same for d2, d1; '
                             'out: 1x1 conv to 2 channels, no activation'),
            'layers': Refiner.LAYERS,
        },
        'training': {'steps': ck['step'], 'final': final[-1] if final else None},
        'weightsManifest': [{'paths': ['refiner.bin'], 'weights': specs}],
    }
    json_path = os.path.join(args.out_dir, 'refiner.json')
    with open(json_path, 'w') as f:
        json.dump(model, f, indent=1)
    # manifest: read-modify-write only our keys (others add theirs to the same file)
    man_path = os.path.join(ROOT, 'public', 'models', 'manifest.json')
    with open(man_path) as f:
        man = json.load(f)
    rel = lambda p: os.path.relpath(os.path.abspath(p), os.path.join(ROOT, 'public', 'models')).replace(os.sep, '/')
    man['files'][rel(json_path)] = sha256(json_path)
    man['files'][rel(bin_path)] = sha256(bin_path)
    with open(man_path, 'w') as f:
        json.dump(man, f, indent=2)
        f.write('\n')
    # golden fixture: deterministic pseudo-random input (no photo)
    rng = np.random.default_rng(20201234)
    H = W = 24
    u8 = rng.integers(0, 256, size=(H, W), dtype=np.uint8)
    # a smooth ramp plus noise so the network sees structure, not only noise
    ramp = np.linspace(0, 255, W)[None, :].repeat(H, 0)
    u8 = np.clip(0.5 * u8 + 0.5 * ramp, 0, 255).astype(np.uint8)
    y = torch.from_numpy(u8.astype(np.float32) / 255.0)[None, None]
    # an irregular 20-point ring (the inner mouth's point count) in crop pixel units, some vertices on pixel centres
    ang = np.linspace(0, 2 * np.pi, len(INNER_MOUTH_RING), endpoint=False)
    ring = np.stack([12 + (7 + 2 * np.sin(3 * ang)) * np.cos(ang), 13 + 4.5 * np.sin(ang)], 1)
    ring[0] = [19.5, 13.5]
    ring = ring.round(6)
    pts = np.zeros((468, 2))
    pts[INNER_MOUTH_RING] = ring
    m = inner_mouth_mask(pts, H)
    with torch.no_grad():
        out, A, C = net.refine(y, torch.from_numpy(m)[None, None] if inputs == 2 else None)
    # the render session's stretched lips (a mouth opening from closed lips) on the same input and mask
    stretched, _ = fill_mouth(y, torch.from_numpy(m)[None, None].float(), None, torch.ones(1, 1, 1, 1), dark=STRETCH_DARK, streaks=False)
    f32 = lambda t: base64.b64encode(t.numpy().astype('<f4').ravel().tobytes()).decode()
    golden = {
        'comment': 'Refiner parity: input u8 / 255 is luminance [1,24,24,1] (+ mouthMaskU8, 0/1, the mask of mouthRing, for 2-input models); A and out from PyTorch (training/refiner_export.py); stretched: refiner_common.fill_mouth of the input and mask (dark stretchDark, no streaks); float32 little-endian base64, row-major HxW.',
        'modelSha256': {'refiner.json': sha256(json_path), 'refiner.bin': sha256(bin_path)},
        'height': H, 'width': W,
        'inputU8': base64.b64encode(u8.tobytes()).decode(),
        'inputs': inputs,
        'mouthRing': ring.tolist(),
        'mouthMaskU8': base64.b64encode(m.astype(np.uint8).tobytes()).decode(),
        'A': f32(A[0, 0]),
        'out': f32(out[0, 0]),
        'stretchDark': STRETCH_DARK,
        'stretched': f32(stretched[0, 0]),
    }
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    with open(args.fixture, 'w') as f:
        json.dump(golden, f, indent=1)
    print(f'wrote {json_path} ({os.path.getsize(bin_path)} bytes of weights), {args.fixture}')


if __name__ == '__main__':
    main()
