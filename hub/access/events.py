"""Signals of governed access."""

from django.dispatch import Signal

# Sent after each audit row is appended (inside the call's transaction):
#   sender=AuditEntry, entry=<AuditEntry>
call_audited = Signal()
