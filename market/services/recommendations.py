"""'For you': open tenders and needs an enterprise could serve, from stored matches in both directions."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Role, User
from ..models.matching import MatchResult
from .match_views import MatchView, present

# Roles whose holders act for a supplier organisation.
SUPPLIER_ROLES = (Role.SUPPLIER_REPRESENTATIVE, Role.TECHNOLOGY_HOLDER, Role.EXPERT)
DEMAND_KINDS = ("tender", "order", "technology_need", "personnel_need")


def recommendations(session: Session, user: User, lang: str, kinds: tuple[str, ...] = DEMAND_KINDS,
                    limit: int = 10) -> list[MatchView]:
    """Return demand listings matched to the user's supplier organisations, best first, each once."""
    org_refs = [f"organisation:{m.organisation_id}" for m in user.memberships
                if m.role in SUPPLIER_ROLES and m.organisation_id is not None]
    if not org_refs:
        return []
    # What the organisation's own profile matched ...
    forward = session.scalars(select(MatchResult).where(
        MatchResult.source_ref.in_(org_refs), MatchResult.target_kind.in_(kinds)))
    # ... and the listings whose matching suppliers include the organisation.
    backward = session.execute(select(MatchResult).where(MatchResult.target_ref.in_(org_refs))).scalars()
    best: dict[str, MatchResult] = {}
    for row in forward:
        if row.score > getattr(best.get(row.target_ref), "score", -1e9):
            best[row.target_ref] = row
    for row in backward:
        if row.source_ref.partition(":")[0] not in kinds:
            continue
        flipped = MatchResult(source_ref=row.target_ref, target_ref=row.source_ref,
                              target_kind=row.source_ref.partition(":")[0], rank=row.rank, score=row.score,
                              reasons=row.reasons)
        if flipped.score > getattr(best.get(flipped.target_ref), "score", -1e9):
            best[flipped.target_ref] = flipped
    ranked = sorted(best.values(), key=lambda r: -r.score)
    return present(session, ranked[:limit * 2], lang)[:limit]
