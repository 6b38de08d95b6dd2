"""CPV codes: validation, search-as-you-type and suggestions from free text."""
from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path

log = logging.getLogger("market.cpv")
_SUGGESTERS: dict[tuple, object] = {}
_BUILDING: set[tuple] = set()
_LOCK = threading.Lock()


def _key(config: dict) -> tuple:
    setting = config["ENCODER"]
    return (str(config["INSTANCE_PATH"]), setting if isinstance(setting, str) else id(setting))


def _build(config: dict, key: tuple) -> None:
    from matching import CpvSuggester, load_encoder

    try:
        setting = config["ENCODER"]
        if isinstance(setting, str):
            # Memoise label embeddings under instance/ so only the first start pays for encoding.
            cache = config.get("EMBEDDING_CACHE_DIR") or Path(str(config["INSTANCE_PATH"])) / "emb_cache"
            encoder = load_encoder(setting, threads=1, cache_dir=Path(str(cache)))
        else:
            encoder = setting
        suggester = CpvSuggester(encoder)
        with _LOCK:
            _SUGGESTERS[key] = suggester
    except Exception:
        log.exception("could not build the CPV suggester; suggestions stay lexical")
    finally:
        with _LOCK:
            _BUILDING.discard(key)


def suggester(config: dict, wait: bool = False):
    """Return the semantic CPV suggester, starting its construction in the background when absent."""
    key = _key(config)
    with _LOCK:
        found = _SUGGESTERS.get(key)
        start = found is None and key not in _BUILDING
        if start:
            _BUILDING.add(key)
    if found is not None:
        return found
    if wait:
        if start:
            _build(config, key)
        return _SUGGESTERS.get(key)
    if start:
        threading.Thread(target=_build, args=(config, key), name="cpv-suggester", daemon=True).start()
    return None


@functools.lru_cache(maxsize=1)
def _lexical():
    from matching.suggest import LexicalCpvSuggester

    return LexicalCpvSuggester()


def suggest(config: dict, text: str, lang: str, k: int = 10, wait: bool = False) -> dict:
    """Suggest CPV codes for text; lexical search over labels until the semantic index is ready."""
    from matching import default_taxonomy

    taxonomy = default_taxonomy()
    s = suggester(config, wait=wait)
    if s is not None:
        ranked = s.suggest(text, k=k)
        mode = "semantic"
    else:
        ranked = _lexical().suggest(text, k=k)
        mode = "lexical"
    return {"mode": mode, "items": [
        {"code": code, "label": taxonomy.label(code, lang), "score": round(float(score), 4),
         "path": [{"code": c, "label": taxonomy.label(c, lang)} for c in taxonomy.path(code)]}
        for code, score in ranked]}


def search(text: str, lang: str, limit: int = 20) -> list[dict]:
    """Search-as-you-type by code prefix or words (accents optional)."""
    from matching import default_taxonomy

    taxonomy = default_taxonomy()
    return [{"code": code, "label": label} for code, label in taxonomy.search(text, lang=lang, limit=limit)]
