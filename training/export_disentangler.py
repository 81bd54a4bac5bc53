"""Exports a trained disentangler to the app: tfjs weights manifest + float16 shard, golden fixture, sha256s.

Usage (from the repository root):
    /usr/bin/python3 training/export_disentangler.py [--ckpt training/out/disentangler.pt]
        [--models public/models] [--golden tests/fixtures/leed-disentangler-golden.json]

A model trained with --units also ships 'leed/units' (the unit fields, U x 1404) and 'leed/unitsIn' (the reader
of their part outside the PCA span), and its config lists the units (architecture.units, version 2).

Writes
  public/models/leed/disentangler.json   config (architecture, tensor names) + "weightsManifest"
  public/models/leed/disentangler.bin    every tensor as float16 ("quantization": {"dtype": "float16"})
  tests/fixtures/leed-disentangler-golden.json
        synthetic inputs (the template face and faces drawn from the model's own PCA, no photo data)
        and N of them computed in PyTorch from the *dequantised* float16 weights, as base64 float32
  public/models/manifest.json            sha256 of both model files
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
import leed_data  # noqa: E402
from disentangler import Disentangler, tensors_for_export  # noqa: E402

ROOT = leed_data.ROOT
MODELS = os.path.join(ROOT, 'public', 'models')
GOLDEN = os.path.join(ROOT, 'tests', 'fixtures', 'leed-disentangler-golden.json')
TEMPLATE = os.path.join(ROOT, 'src', 'engine', 'analyse', 'template.json')

KEYS = {'mu': 'leed/mu', 'basis': 'leed/basis', 'std': 'leed/std',
        'kernel1': 'leed/dense1/kernel', 'bias1': 'leed/dense1/bias',
        'kernel2': 'leed/dense2/kernel', 'bias2': 'leed/dense2/bias',
        'kernel3': 'leed/dense3/kernel', 'bias3': 'leed/dense3/bias'}


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def b64f32(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode()


def update_manifest(models, paths):
    with open(os.path.join(models, 'manifest.json')) as f:
        manifest = json.load(f)
    for p in paths:
        rel = os.path.relpath(p, models).replace(os.sep, '/')
        manifest['files'][rel] = sha256(p)
    with open(os.path.join(models, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write('\n')


def load_model(ckpt_path):
    ckpt = torch.load(ckpt_path, map_location='cpu')
    st = ckpt['state']
    units = st['units'].numpy() if 'units' in st else None
    units_in = st['units_in'].numpy() if 'units_in' in st else None
    model = Disentangler(st['mu'].numpy(), st['basis'].numpy(), st['std'].numpy(), ckpt['hidden'], units, units_in)
    model.load_state_dict(st)
    model.eval()
    return model, ckpt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', default=os.path.join(leed_data.HERE, 'out', 'disentangler.pt'))
    ap.add_argument('--golden-faces', type=int, default=4)
    ap.add_argument('--models', default=MODELS, help='a folder laid out like public/models (default: public/models)')
    ap.add_argument('--golden', default=GOLDEN, help='parity fixture path (default: tests/fixtures/...)')
    args = ap.parse_args()
    LEED_DIR = os.path.join(args.models, 'leed')
    model, ckpt = load_model(args.ckpt)
    q = model.quantised_copy()
    os.makedirs(LEED_DIR, exist_ok=True)

    specs, chunks = [], []
    for name, arr in tensors_for_export(q):
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        half = arr.astype('<f2')
        assert np.array_equal(half.astype(np.float32), arr), f'{name} is not exactly float16-representable'
        chunks.append(half.tobytes())
        specs.append({'name': name, 'shape': list(arr.shape), 'dtype': 'float32',
                      'quantization': {'dtype': 'float16', 'original_dtype': 'float32'}})
    bin_path = os.path.join(LEED_DIR, 'disentangler.bin')
    with open(bin_path, 'wb') as f:
        f.write(b''.join(chunks))

    a = ckpt['args']
    keys = dict(KEYS)
    architecture = {'type': 'pca-mlp-residual', 'points': 468, 'inputDim': 1404, 'basisDim': q.k,
                    'hidden': [q.l1.out_features, q.l2.out_features], 'activation': 'elu'}
    if q.units is not None:
        keys.update(units='leed/units', unitsIn='leed/unitsIn')
        architecture['units'] = ckpt['unit_names']
    config = {
        'format': 'leed-disentangler',
        'version': 1 if q.units is None else 2,
        'architecture': architecture,
        'tensors': keys,
        'normalisation': 'input: canonical landmarks (IOD units, pose removed, src/engine/analyse/manifold.ts) flattened '
                         'x0,y0,z0,x1,...; z = ((x - mu) basis^T) / std'
                         + ('' if q.units is None else ', then (x - mu) unitsIn^T appended; d = (c[:K] * std) basis + c[K:] units'),
        'training': {'photos': ckpt['photos'], 'people': ckpt['people'], 'seed': a['seed'], 'steps': a['steps'],
                     'losses': {k: a[k] for k in ('w_pair', 'w_prior', 'w_cross', 'w_idem', 'w_swap', 'w_mi')},
                     'prior': {'power': a['power'], 'eps': a['eps']},
                     **({} if q.units is None else {'units': {'w_units': a['w_units'], 'units_p': a['units_p']}}),
                     'labels': 'none (person grouping only)', 'script': 'training/train_disentangler.py'},
        'weightsManifest': [{'paths': ['disentangler.bin'], 'weights': specs}],
    }
    json_path = os.path.join(LEED_DIR, 'disentangler.json')
    with open(json_path, 'w') as f:
        json.dump(config, f, indent=1)
        f.write('\n')
    update_manifest(args.models, [json_path, bin_path])

    # Golden: synthetic faces only (template + draws from the model's PCA), through the dequantised model.
    with open(TEMPLATE) as f:
        template = np.array(json.load(f)['points'], dtype=np.float32).reshape(-1)
    rng = np.random.default_rng(7)
    faces = [template]
    for _ in range(args.golden_faces - 1):
        z = rng.standard_normal(q.k).astype(np.float32) * 1.5
        z[16:] *= 0.3
        face = q.mu + (torch.tensor(z) * q.std) @ q.basis
        if q.units is not None:  # and some unit motion, outside the PCA span too
            face = face + torch.tensor(rng.uniform(0, 1, q.n_units).astype(np.float32)) @ q.units
        faces.append(face.numpy())
    x = torch.tensor(np.stack(faces).astype(np.float32))
    with torch.no_grad():
        y = q(x).numpy()
    golden = {
        'comment': 'LEED disentangler parity: N(inputs) computed in PyTorch from the dequantised float16 weights '
                   'of public/models/leed/disentangler.bin (training/export_disentangler.py). Inputs are synthetic: '
                   'the template face and faces drawn from the model PCA; no photo data.',
        'weightsSha256': sha256(bin_path),
        'inputs': [b64f32(v) for v in x.numpy()],
        'outputs': [b64f32(v) for v in y],
        'maxDisplacement': float(np.abs(x.numpy() - y).max()),
    }
    with open(args.golden, 'w') as f:
        json.dump(golden, f, indent=1)
        f.write('\n')
    print(f'wrote {json_path} ({os.path.getsize(json_path)} B), {bin_path} ({os.path.getsize(bin_path)} B), {args.golden}')
    print(f'golden max |N(x) - x| = {golden["maxDisplacement"]:.4f}')


if __name__ == '__main__':
    main()
