"""Consumer systems, their keys, access requests, grants and the audit log."""

import hashlib
import hmac
import ipaddress
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.catalogue.models import DataItem, Department
from hub.history import History

from .choices import DecisionStatus, Mode


class ConsumerSystem(models.Model):
    """A registered government system that consumes and/or provides base data."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="systems", verbose_name=_("owning department")
    )
    is_consumer = models.BooleanField(_("consumer"), default=True)
    is_provider = models.BooleanField(_("provider"), default=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    allowed_networks = models.TextField(
        _("allowed client networks"),
        blank=True,
        help_text=_("One IP network per line (e.g. 10.32.0.0/16). Empty allows any address."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name = _("consumer system")
        verbose_name_plural = _("consumer systems")

    def __str__(self):
        return self.name

    def allows_ip(self, address):
        networks = [line.strip() for line in self.allowed_networks.splitlines() if line.strip()]
        if not networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


def hash_secret(secret: str) -> str:
    # Keys are 256 random bits, so a fast keyed hash is as strong as a slow
    # password hash here and keeps authentication off the hot path's profile.
    return hmac.new(b"hub-api-key", secret.encode(), hashlib.sha256).hexdigest()


class ApiKey(models.Model):
    """A system's API key: only its hash is stored; the key is shown once."""

    system = models.ForeignKey(
        ConsumerSystem, models.CASCADE, related_name="api_keys", verbose_name=_("system")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.system} · {self.prefix}"

    @classmethod
    def issue(cls, system, *, name="", expires_at=None):
        """Create a key and return ``(api_key, raw_key)``; the raw key is not kept."""
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        key = cls.objects.create(
            system=system,
            name=name,
            prefix=prefix,
            hashed_secret=hash_secret(secret),
            expires_at=expires_at,
        )
        return key, f"{prefix}.{secret}"

    def matches(self, secret):
        return hmac.compare_digest(self.hashed_secret, hash_secret(secret))

    @property
    def is_usable(self):
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccessRequest(models.Model):
    """A system's application (申请) for items, each decided on its own."""

    system = models.ForeignKey(
        ConsumerSystem, models.CASCADE, related_name="requests", verbose_name=_("system")
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("requested expiry"), null=True, blank=True)
    require_purpose_header = models.BooleanField(_("calls must carry X-Purpose"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")

    def __str__(self):
        return f"#{self.pk} {self.system} – {self.purpose}"

    @property
    def status(self):
        statuses = {entry.status for entry in self.entries.all()}
        if DecisionStatus.PENDING in statuses:
            return DecisionStatus.PENDING
        if statuses == {DecisionStatus.REJECTED}:
            return DecisionStatus.REJECTED
        return DecisionStatus.APPROVED if statuses else DecisionStatus.PENDING


class AccessRequestItem(models.Model):
    """One requested item of a request, with the source department's decision."""

    request = models.ForeignKey(
        AccessRequest, models.CASCADE, related_name="entries", verbose_name=_("request")
    )
    item = models.ForeignKey(DataItem, models.PROTECT, related_name="+", verbose_name=_("data item"))
    mode = models.PositiveSmallIntegerField(_("mode"), choices=Mode.choices)
    masked = models.BooleanField(_("masked"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = History()

    class Meta:
        ordering = ["request_id", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="access_request_item_unique")]
        verbose_name = _("requested item")
        verbose_name_plural = _("requested items")

    def __str__(self):
        return f"{self.item.code} ({Mode(self.mode).label})"


class GrantQuerySet(models.QuerySet):
    def active(self, at=None):
        """Grants in force: not revoked, not expired, held by a consumer system.

        A provider-only system's grants count for nothing (they are kept, and
        come back into force if the system becomes a consumer again).
        """
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, system__is_consumer=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class Grant(models.Model):
    """A system's right to one item in one mode, masked or clear, until expiry."""

    system = models.ForeignKey(
        ConsumerSystem, models.CASCADE, related_name="grants", verbose_name=_("system")
    )
    item = models.ForeignKey(DataItem, models.PROTECT, related_name="grants", verbose_name=_("data item"))
    mode = models.PositiveSmallIntegerField(_("mode"), choices=Mode.choices)
    masked = models.BooleanField(_("masked"), default=False)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    require_purpose_header = models.BooleanField(_("calls must carry X-Purpose"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    request_item = models.OneToOneField(
        AccessRequestItem, models.SET_NULL, null=True, blank=True, related_name="grant"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = History()

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["system_id", "item_id"]
        indexes = [models.Index(fields=["system", "revoked_at"])]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self):
        return f"{self.system} → {self.item.code} ({Mode(self.mode).label})"


class AuditEntry(models.Model):
    """One governed call. Append-only (a trigger on PostgreSQL) and hash-chained."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    system = models.ForeignKey(
        ConsumerSystem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("system")
    )
    user = models.CharField(_("user"), max_length=150, blank=True)
    key_prefix = models.CharField(_("API key"), max_length=16, blank=True)
    client_ip = models.CharField(_("client IP"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=300)
    dataset = models.CharField(_("dataset"), max_length=64, blank=True, db_index=True)
    mode = models.CharField(_("mode"), max_length=16, blank=True)
    subject_keys = models.JSONField(_("keys touched"), default=list, blank=True)
    result_count = models.PositiveIntegerField(_("records returned"), default=0)
    items = models.JSONField(_("items returned"), default=list, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.FloatField(_("duration (ms)"), default=0)
    # The ingest batch the call created or read (an ``IngestBatch`` id; no foreign key, so
    # that access does not depend on records and a batch's row never blocks the log).
    batch = models.UUIDField(_("ingest batch"), null=True, blank=True, db_index=True)
    # The log is a set of hash chains ("lanes"): on PostgreSQL each database
    # session links its rows into the first free lane from ``backend pid % 16`` so that
    # concurrent calls do not all queue on one lock; each lane is a complete
    # chain in id order (see migrations 0004, 0005 and ``audit.verify``).
    chain = models.PositiveSmallIntegerField(_("chain"), default=0, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["chain", "id"], name="access_audit_chain_id")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.endpoint} {self.status}"
