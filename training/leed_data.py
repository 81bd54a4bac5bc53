"""Canonical landmarks from the engine's landmark extraction (data-out/landmarks.jsonl) joined with faces.csv.

The expression column is returned separately and is used ONLY for evaluation and presets, never by
the training losses (see train_disentangler.py).
"""
import base64
import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data', 'faces'))
DEFAULT_LANDMARKS = os.path.join(ROOT, 'data-out', 'landmarks.jsonl')


def decode_points(b64):
    return np.frombuffer(base64.b64decode(b64), dtype='<f4').reshape(468, 3).astype(np.float64)


def load(landmarks_path=DEFAULT_LANDMARKS, data_dir=DEFAULT_DATA, max_residual=0.08):
    """Returns dict with X (n,468,3) canonical, person (n,) str, image (n,), expression (n,), pose (n,3).

    Keeps status=='ok' rows whose stable-point fit residual is below max_residual (IOD units):
    a face whose mesh does not fit the template's stable points is a bad extraction, not an expression.
    """
    expr = {}
    with open(os.path.join(data_dir, 'faces.csv'), newline='') as f:
        for row in csv.DictReader(f):
            expr[row['image']] = row['expression']
    X, person, image, expression, pose = [], [], [], [], []
    seen = set()
    with open(landmarks_path) as f:
        for line in f:
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if r.get('status') != 'ok' or r['image'] in seen or r['image'] not in expr:
                continue
            if r.get('residual', 0) > max_residual:
                continue
            seen.add(r['image'])
            X.append(decode_points(r['canonical']))
            person.append(r['person'])
            image.append(r['image'])
            expression.append(expr[r['image']])
            p = r.get('pose', {})
            pose.append([p.get('yaw', 0), p.get('pitch', 0), p.get('roll', 0)])
    order = np.argsort(np.array(image))  # deterministic order whatever the extraction order was
    return {
        'X': np.stack(X)[order],
        'person': np.array(person)[order],
        'image': np.array(image)[order],
        'expression': np.array(expression)[order],
        'pose': np.array(pose)[order],
    }
