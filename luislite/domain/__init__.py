"""The LUIS domain, knowing nothing of HTTP or SQL: the canonical app version, its formats, offsets, reports."""
