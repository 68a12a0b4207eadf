import torch.nn as nn


class AttentionBlock(nn.Module):
    """Self-attention over a sequence of d-wide tokens, then a classifier."""

    def __init__(self, d=64, heads=8, classes=10):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.fc = nn.Linear(d, classes)

    def forward(self, x):
        out, _ = self.attn(x, x, x)
        return self.fc(self.norm(out + x))
