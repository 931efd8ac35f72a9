"""Copy the write context onto every history row simple-history creates."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from . import context


@receiver(pre_create_historical_record)
def stamp_history(sender, instance, history_instance, **kwargs):
    ctx = context.current()
    if ctx is None or not hasattr(history_instance, "source_department"):
        return
    history_instance.source_department = ctx.department
    history_instance.acting_system = ctx.system
    history_instance.batch = ctx.batch
    if ctx.user is not None and getattr(ctx.user, "is_authenticated", False):
        history_instance.history_user = ctx.user
    if ctx.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = ctx.reason
