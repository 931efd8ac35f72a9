"""Deployment check: production must sign licences with a configured key, not the derived dev key."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def signing_key_configured(app_configs, **kwargs):
    if settings.HUB_SIGNING_KEY:
        from .signing import private_key

        try:
            private_key()
        except Exception as exc:  # ImproperlyConfigured: a key that does not parse
            return [Error(str(exc), id="licences.E002")]
        return []
    return [
        Error(
            "HUB_SIGNING_KEY is empty: licences would be signed with a key derived from SECRET_KEY.",
            hint="Set HUB_SIGNING_KEY to an Ed25519 private key (PEM, or 32 bytes in hex or base64) "
            "and HUB_SIGNING_KEY_ID to its id.",
            id="licences.E001",
        )
    ]
