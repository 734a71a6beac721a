"""LUIS's REST surface: authoring (v3.0-preview and v2.0) and prediction (v3.0 and v2.0)."""
