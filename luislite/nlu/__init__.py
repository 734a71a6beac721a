"""The machine learning of luislite: a joint intent + slot BERT, trained from an AppVersion, served with onnxruntime.

Knows nothing of Flask or SQL; imports only `luislite.domain.appversion` and `luislite.domain.tokens` from the package.
"""
