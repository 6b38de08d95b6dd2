"""All models, imported here so metadata is complete for migrations and create_all."""
from .base import Base, utcnow
from .accounts import ApiToken, Membership, Organisation, OrgKind, Role, SizeClass, User
from .audit import AuditEntry
from .outbox import EmailMessage, OutboxEvent
from .files import StoredFile
from . import alerts, catalog, invitations, matching, ocds, orders, procurement, techtransfer  # noqa: F401  (register their tables)

__all__ = [
    "Base", "utcnow", "ApiToken", "Membership", "Organisation", "OrgKind", "Role", "SizeClass", "User",
    "AuditEntry", "EmailMessage", "OutboxEvent", "StoredFile",
]
