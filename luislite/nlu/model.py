"""JointBert: a BERT-family encoder, an intent head on the sentence vector, and BIO slot heads, one per tag layer.

With phrase-list features (`luislite.nlu.features`), each intent and slot tag also gets a learned weight per
feature channel, masked to the models the list is a feature of: a word's channels add to its tags' logits, and
the sentence's (any word's) channels to the intents' logits.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

IGNORE = -100  # slot target of every sub-token that is not a word's first, and of padding


class JointBert(nn.Module):
    def __init__(self, encoder: nn.Module, intents: int, layers: list[int], pooling: str = "mean", dropout: float = 0.1,
                 features: int = 0):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"Unknown pooling {pooling!r}.")
        self.encoder = encoder
        self.pooling = pooling
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(hidden, intents)
        self.slot_heads = nn.ModuleList(nn.Linear(hidden, tags) for tags in layers)
        self.features = features
        if features:
            self.intent_features = FeatureWeights(intents, features)
            self.slot_features = nn.ModuleList(FeatureWeights(tags, features) for tags in layers)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                features: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """(intent logits (batch, intents), slot logits (batch, sub-tokens, tags) of each layer).

        `features` (batch, sub-tokens, channels) are the phrase-list channels, required when the model has them.
        """
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        hidden = self.dropout(hidden)
        if self.pooling == "cls":
            sentence = hidden[:, 0]
        else:
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            sentence = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        intents, slots = self.intent_head(sentence), [head(hidden) for head in self.slot_heads]
        if self.features:
            intents = intents + self.intent_features(features.amax(1))
            slots = [logits + weights(features) for logits, weights in zip(slots, self.slot_features)]
        return (intents, *slots)

    def set_feature_masks(self, intent_mask, slot_masks) -> None:
        """Which feature channels count for which intent and, per layer, which slot tag (arrays of 0/1)."""
        self.intent_features.mask.copy_(torch.as_tensor(intent_mask))
        for weights, mask in zip(self.slot_features, slot_masks):
            weights.mask.copy_(torch.as_tensor(mask))

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


class FeatureWeights(nn.Module):
    """A learned weight per (label, feature channel), zero where the mask says the channel is not the label's."""

    def __init__(self, labels: int, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(labels, channels))
        self.register_buffer("mask", torch.ones(labels, channels))

    def masked(self) -> torch.Tensor:
        return self.weight * self.mask

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features.to(self.weight.dtype) @ self.masked().T
