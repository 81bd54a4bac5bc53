"""The LEED disentangler N: canonical landmarks (468x3, IOD units) -> the same person's neutral landmarks.

    z = ((x - mu) W^T) / std            K-dim whitened PCA coordinates of x (W: K x 1404 orthonormal rows)
    h1 = elu(z A1 + b1); h2 = elu(h1 A2 + b2)
    c = h2 A3 + b3                      displacement code (K, whitened)
    d = (c * std) W                     displacement in landmark space (1404)
    N(x) = x - d

The displacement lives in the PCA subspace; whatever lies outside it passes through unchanged, so
identity detail is never thrown away by the bottleneck. A3/b3 start at zero: N starts as the identity.
src/engine/expression/disentangle.ts computes exactly this with tfjs ops.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Disentangler(nn.Module):
    def __init__(self, mu, basis, std, hidden=256):
        super().__init__()
        k = basis.shape[0]
        self.register_buffer('mu', torch.as_tensor(mu, dtype=torch.float32).reshape(-1))
        self.register_buffer('basis', torch.as_tensor(basis, dtype=torch.float32))  # K x 1404
        self.register_buffer('std', torch.as_tensor(std, dtype=torch.float32))  # K
        self.l1 = nn.Linear(k, hidden)
        self.l2 = nn.Linear(hidden, hidden)
        self.l3 = nn.Linear(hidden, k)
        nn.init.zeros_(self.l3.weight)
        nn.init.zeros_(self.l3.bias)

    @property
    def k(self):
        return self.basis.shape[0]

    def code_in(self, x):
        """Whitened PCA coordinates of flat landmarks x (B x 1404)."""
        return ((x - self.mu) @ self.basis.t()) / self.std

    def displacement(self, x):
        z = self.code_in(x)
        h = F.elu(self.l1(z))
        h = F.elu(self.l2(h))
        c = self.l3(h)
        return (c * self.std) @ self.basis, c

    def forward(self, x):
        d, _ = self.displacement(x)
        return x - d

    def quantised_copy(self):
        """The same model with every shipped tensor rounded through float16 (what the app loads)."""
        q = Disentangler(self.mu.numpy(), self.basis.numpy(), self.std.numpy(), self.l1.out_features)
        q.load_state_dict(self.state_dict())
        with torch.no_grad():
            for t in list(q.parameters()) + list(q.buffers()):
                t.copy_(t.half().float())
        return q


def tensors_for_export(model):
    """name -> (numpy array in the layout tfjs uses: dense kernels are in x out)."""
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
    ]


def pca_basis(X, k):
    """Mean, K x D orthonormal basis and per-component std of flat landmarks X (n x D)."""
    mu = X.mean(0)
    _, s, vt = np.linalg.svd(X - mu, full_matrices=False)
    # a deterministic sign per component (largest-magnitude coefficient positive)
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(1)])
    vt = vt * signs[:, None]
    std = s[:k] / np.sqrt(len(X))
    return mu, vt[:k], std
