"""Export the expression-texture network (texture_common.py) to tfjs weights and a parity fixture.

    python3 training/texture_export.py --ckpt training/out/texture.pt

Writes public/models/leed/texture.json (config + tfjs weightsManifest) and texture.bin (float32), their sha256
in public/models/manifest.json, and tests/fixtures/texture-golden.json: the template face in crop pixels as
the target, moved by a smooth made-up displacement as the source (no photo), and PyTorch's fields and the
odd part of the gain that the app uses, every 4th pixel.
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
from texture_common import EDGE, EPS, EYE_FADE, GRID, LAYERS, MOTION_SCALE, MOUTH_FADE, MOUTH_MARGIN, S, SIGMA, TextureNet, edge_mask, fields  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CROP_CENTER, CROP_SIDE = (0.0, 0.45), 3.0


def sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def odd_gain(net, target, source):
    m, motion, _ = fields(target, source)
    return m, motion, m * edge_mask(target) * (net(m, motion) - net(m, -motion)) / 2

# How the app takes the gain, for each form of the network (texture_common.TextureNet)
_GAIN = 'gain = M * inside(face oval, faded over edge px) * '
_OUT = '; out = crop * (1 + gain) (training/texture_common.py)'
USE = {
    'plain': _GAIN + '(net(M, motion) - net(M, -motion)) / 2' + _OUT,
    'product': _GAIN + 'net(M, motion) (odd by construction: one run)' + _OUT,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default='training/out/texture.pt')
    ap.add_argument('--out-dir', default='public/models/leed')
    ap.add_argument('--fixture', default='tests/fixtures/texture-golden.json')
    args = ap.parse_args()
    ck = torch.load(args.ckpt, map_location='cpu')
    net = TextureNet(tuple(ck['ch']), ck.get('form', 'plain'))
    net.load_state_dict(ck['state'])
    net.eval()
    specs, blobs = [], []
    for name in LAYERS:
        conv = getattr(net, name)
        k = conv.weight.detach().numpy().transpose(2, 3, 1, 0).astype('<f4')
        b = conv.bias.detach().numpy().astype('<f4')
        for suffix, arr in (('kernel', k), ('bias', b)):
            specs.append({'name': f'{name}/{suffix}', 'shape': list(arr.shape), 'dtype': 'float32'})
            blobs.append(np.ascontiguousarray(arr).tobytes())
    bin_path = os.path.join(args.out_dir, 'texture.bin')
    open(bin_path, 'wb').write(b''.join(blobs))
    model = {
        'format': 'leed-texture',
        'version': 1,
        'config': {
            'size': S, 'grid': GRID, 'sigma': SIGMA, 'eps': EPS, 'motionScale': MOTION_SCALE,
            'mouthMargin': MOUTH_MARGIN, 'edge': EDGE, 'mouthFade': list(MOUTH_FADE), 'eyeFade': list(EYE_FADE),
            'channels': list(ck['ch']),
            'form': net.form,
            'crop': {'center': list(CROP_CENTER), 'side': CROP_SIDE, 'units': 'canonical IOD, axis-aligned, y down'},
            'use': USE[net.form],
            'layers': LAYERS,
        },
        'training': {'steps': ck['step'], 'photos': ck['photos'], **({'distilled': ck['distilled']} if 'distilled' in ck else {})},
        'weightsManifest': [{'paths': ['texture.bin'], 'weights': specs}],
    }
    json_path = os.path.join(args.out_dir, 'texture.json')
    json.dump(model, open(json_path, 'w'), indent=1)
    man_path = os.path.join(ROOT, 'public', 'models', 'manifest.json')
    man = json.load(open(man_path))
    man['files']['leed/texture.json'] = sha256(json_path)
    man['files']['leed/texture.bin'] = sha256(bin_path)
    with open(man_path, 'w') as f:
        json.dump(man, f, indent=2)
        f.write('\n')
    tpl = np.array(json.load(open(os.path.join(ROOT, 'src', 'engine', 'analyse', 'template.json')))['points'], dtype=np.float64)[:, :2]
    tgt = np.stack([(tpl[:, 0] - (CROP_CENTER[0] - CROP_SIDE / 2)) / CROP_SIDE * S - 0.5,
                    (tpl[:, 1] - (CROP_CENTER[1] - CROP_SIDE / 2)) / CROP_SIDE * S - 0.5], 1)
    # a made-up smooth displacement: the lower face pulled up and out, the brows down
    cx, cy = tgt[:, 0].mean(), tgt[:, 1].mean()
    src = tgt.copy()
    low = np.clip((tgt[:, 1] - cy) / 30, 0, 1)
    src[:, 0] += -0.12 * (tgt[:, 0] - cx) * low
    src[:, 1] += 4 * low - 2 * np.clip((cy - tgt[:, 1]) / 40, 0, 1)
    tgt, src = tgt.round(4), src.round(4)
    T = torch.tensor(tgt, dtype=torch.float32)[None]
    Sr = torch.tensor(src, dtype=torch.float32)[None]
    with torch.no_grad():
        m, motion, gain = odd_gain(net, T, Sr)
    f32 = lambda t: base64.b64encode(t.numpy().astype('<f4').ravel().tobytes()).decode()
    golden = {
        'comment': 'Texture parity (training/texture_export.py): target and source are 468 x 2 crop pixels; M [S,S] and gain [S,S,3] every 4th pixel (rows and columns 0, 4, ...), motion [2, GRID, GRID] as the network takes it; float32 little-endian base64.',
        'modelSha256': {'texture.json': sha256(json_path), 'texture.bin': sha256(bin_path)},
        'target': tgt.tolist(), 'source': src.tolist(),
        'M': f32(m[0, 0, ::4, ::4]),
        'motion': f32(motion[0]),
        'gain': f32(gain[0, :, ::4, ::4].permute(1, 2, 0)),
    }
    json.dump(golden, open(args.fixture, 'w'))
    print(f'wrote {json_path} ({os.path.getsize(bin_path)} bytes of weights), {args.fixture}; '
          f'golden gain mean |g| {float(gain.abs().mean()):.4f}')


if __name__ == '__main__':
    main()
