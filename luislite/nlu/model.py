"""JointBert: a BERT-family encoder, an intent head on the sentence vector, and BIO slot heads, one per tag layer."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

IGNORE = -100  # slot target of every sub-token that is not a word's first, and of padding


class JointBert(nn.Module):
    def __init__(self, encoder: nn.Module, intents: int, layers: list[int], pooling: str = "mean", dropout: float = 0.1):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"Unknown pooling {pooling!r}.")
        self.encoder = encoder
        self.pooling = pooling
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, intents)
        self.slot_heads = nn.ModuleList(nn.Linear(hidden, tags) for tags in layers)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(intent logits (batch, intents), slot logits (batch, sub-tokens, tags) of each layer)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        if self.pooling == "cls":
            sentence = hidden[:, 0]
        else:
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            sentence = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        return (self.intent_head(sentence), *(head(hidden) for head in self.slot_heads))

    @staticmethod
    def loss(outputs: tuple[torch.Tensor, ...], intents: torch.Tensor, slots: list[torch.Tensor]) -> torch.Tensor:
        """Intent cross-entropy plus each layer's slot cross-entropy over words' first sub-tokens."""
        intent_logits, *slot_logits = outputs
        loss = F.cross_entropy(intent_logits.float(), intents)
        for logits, tags in zip(slot_logits, slots):
            words = (tags != IGNORE).sum().clamp(min=1)
            loss = loss + F.cross_entropy(logits.float().flatten(0, 1), tags.flatten(), ignore_index=IGNORE,
                                          reduction="sum") / words
        return loss
