"""Pure matching library: encoders, vector + lexical indexes, CPV taxonomy, hybrid engine, evaluation.

No web framework, no database: the web app builds `Document`s and stores what the engine returns.
"""
from .encoders import Encoder, EncoderLoadError, load_encoder
from .engine import MAX_QUERY_CHARS, EmptyQuery, Engine, FusionWeights
from .lexical import fold_text, tokenize
from .reasons import render_reason
from .store import IndexUnavailable
from .suggest import CpvSuggester
from .taxonomy import CpvTaxonomy, default_taxonomy
from .types import Document, Match, Reason

__all__ = [
    "MAX_QUERY_CHARS", "CpvSuggester", "CpvTaxonomy", "Document", "EmptyQuery", "Encoder", "EncoderLoadError", "Engine", "FusionWeights",
    "IndexUnavailable", "Match", "Reason", "default_taxonomy", "fold_text", "load_encoder", "render_reason", "tokenize",
]
