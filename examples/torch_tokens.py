import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
dropout = 0.1


class Tokens(nn.Module):
    def __init__(self, num_patches=16, dim=32):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
        self.register_buffer("scale", torch.ones(dim))
        self.proj = nn.Linear(dim, dim)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(dim, dim)
        self.head.weight = self.proj.weight  # tied: counted once


model = Tokens().to(device)
model.eval()
