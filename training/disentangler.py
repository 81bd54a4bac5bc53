"""The LEED disentangler N: canonical landmarks (468x3, IOD units) -> the same person's neutral landmarks.

    z = ((x - mu) W^T) / std            K-dim whitened PCA coordinates of x (W: K x 1404 orthonormal rows)
    h1 = elu(z A1 + b1); h2 = elu(h1 A2 + b2)
    c = h2 A3 + b3                      displacement code (K, whitened)
    d = (c * std) W                     displacement in landmark space (1404)
    N(x) = x - d

The displacement lives in the PCA subspace; whatever lies outside it passes through unchanged, so
identity detail is never thrown away by the bottleneck. A3/b3 start at zero: N starts as the identity.

With action units (train_disentangler.py --units data-out/units.json; U: the 17 unit fields, template space, 17 x
1404, fixed), the network also reads and writes them, so a local motion outside the PCA span (a brow, a lid, a
lip press) can be taken for expression:

    z = [((x - mu) W^T) / std, (x - mu) V^T]    V (17 x 1404, fixed): reads the units' part outside the PCA span
    c = ... (K + 17 outputs)
    d = (c[:K] * std) W + c[K:] U               c[K:] in unit values

Without units the model is exactly the one above (the shipped run before 2026-12-07).
src/engine/expression/disentangle.ts computes exactly this with tfjs ops.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Disentangler(nn.Module):
    def __init__(self, mu, basis, std, hidden=256, units=None, units_in=None):
        super().__init__()
        k = basis.shape[0]
        self.register_buffer('mu', torch.as_tensor(mu, dtype=torch.float32).reshape(-1))
        self.register_buffer('basis', torch.as_tensor(basis, dtype=torch.float32))  # K x 1404
        self.register_buffer('std', torch.as_tensor(std, dtype=torch.float32))  # K
        u = 0
        if units is not None:
            self.register_buffer('units', torch.as_tensor(units, dtype=torch.float32))  # U x 1404
            self.register_buffer('units_in', torch.as_tensor(units_in, dtype=torch.float32))  # U x 1404
            u = self.units.shape[0]
        else:
            self.units = None
            self.units_in = None
        self.l1 = nn.Linear(k + u, hidden)
        self.l2 = nn.Linear(hidden, hidden)
        self.l3 = nn.Linear(hidden, k + u)
        nn.init.zeros_(self.l3.weight)
        nn.init.zeros_(self.l3.bias)

    @property
    def k(self):
        return self.basis.shape[0]

    @property
    def n_units(self):
        return 0 if self.units is None else self.units.shape[0]

    def code_in(self, x):
        """The network's input for flat landmarks x (B x 1404): whitened PCA coordinates [+ unit readings]."""
        xc = x - self.mu
        z = (xc @ self.basis.t()) / self.std
        if self.units is None:
            return z
        return torch.cat([z, xc @ self.units_in.t()], 1)

    def displacement(self, x):
        z = self.code_in(x)
        h = F.elu(self.l1(z))
        h = F.elu(self.l2(h))
        c = self.l3(h)
        k = self.k
        d = (c[:, :k] * self.std) @ self.basis
        if self.units is not None:
            d = d + c[:, k:] @ self.units
        return d, c

    def forward(self, x):
        d, _ = self.displacement(x)
        return x - d

    def quantised_copy(self):
        """The same model with every shipped tensor rounded through float16 (what the app loads)."""
        q = Disentangler(self.mu.numpy(), self.basis.numpy(), self.std.numpy(), self.l1.out_features,
                         None if self.units is None else self.units.numpy(),
                         None if self.units is None else self.units_in.numpy())
        q.load_state_dict(self.state_dict())
        with torch.no_grad():
            for t in list(q.parameters()) + list(q.buffers()):
                t.copy_(t.half().float())
        return q


def tensors_for_export(model):
    """name -> (numpy array in the layout tfjs uses: dense kernels are in x out)."""
    units = [] if model.units is None else [('leed/units', model.units.numpy()), ('leed/unitsIn', model.units_in.numpy())]
    return [
        ('leed/mu', model.mu.numpy()),
        ('leed/basis', model.basis.numpy()),
        ('leed/std', model.std.numpy()),
        ('leed/dense1/kernel', model.l1.weight.detach().numpy().T),
        ('leed/dense1/bias', model.l1.bias.detach().numpy()),
        ('leed/dense2/kernel', model.l2.weight.detach().numpy().T),
        ('leed/dense2/bias', model.l2.bias.detach().numpy()),
        ('leed/dense3/kernel', model.l3.weight.detach().numpy().T),
        ('leed/dense3/bias', model.l3.bias.detach().numpy()),
    ] + units


def unit_reader(units, basis, ridge=1e-3):
    """V (U x D): reads the unit values of the part of (x - mu) outside the PCA span (basis: K x D orthonormal).

    R = the units' fields less their projection on the PCA span; V = (R R^T + ridge tr/U I)^-1 R, so that
    V (sum_u c_u U_u)^T ~ c (R's rows are orthogonal to the span: V U_u^T = V R_u^T). In unit values, not whitened:
    real photos read near 0 there (std 0.002-0.024 on the news photos: their variation lies in the span), a unit
    at 1 reads about 1."""
    R = units - (units @ basis.T) @ basis
    G = R @ R.T
    return np.linalg.solve(G + ridge * np.trace(G) / len(G) * np.eye(len(G)), R)


def pca_basis(X, k):
    """Mean, K x D orthonormal basis and per-component std of flat landmarks X (n x D)."""
    mu = X.mean(0)
    _, s, vt = np.linalg.svd(X - mu, full_matrices=False)
    # a deterministic sign per component (largest-magnitude coefficient positive)
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(1)])
    vt = vt * signs[:, None]
    std = s[:k] / np.sqrt(len(X))
    return mu, vt[:k], std
