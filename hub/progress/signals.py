"""Wire the aggregates to the hub's events, and keep the joint meeting's group in place."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hub.access.events import call_audited
from hub.records.events import records_written

from . import aggregates

JOINT_MEETING_GROUP = "Joint meeting"
# What the joint meeting's members may do: read the dashboard and the plans, nothing else.
JOINT_MEETING_PERMISSIONS = ("view_dashboard", "view_planbatch", "view_planentry")


@receiver(records_written)
def recount_after_batch(sender, dataset, **kwargs):
    aggregates.after_write(dataset)


@receiver(call_audited)
def count_call(sender, entry, **kwargs):
    aggregates.record_call(entry)


def recount_after_save(sender, instance, **kwargs):
    # Single saves (steward edits in the admin, make_person in tests) send no
    # batch signal; recount their dataset once the transaction commits.
    if aggregates.is_base_record(sender):
        aggregates.after_write(sender.dataset_code)


post_save.connect(recount_after_save, dispatch_uid="progress_recount_after_save")
post_delete.connect(recount_after_save, dispatch_uid="progress_recount_after_delete")


def install_call_counter(using="default", **kwargs):
    aggregates.install_call_counter(using)


def ensure_joint_meeting_group(**kwargs):
    """Create the read-only ``Joint meeting`` group with its view permissions (after migrate/flush)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=JOINT_MEETING_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="progress", codename__in=JOINT_MEETING_PERMISSIONS
    )
    group.permissions.add(*perms)
    return group
