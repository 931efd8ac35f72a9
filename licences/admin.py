from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hub.records.admin import BaseRecordAdmin, SourceGuardedForm, steward_department_code
from hub.records.sources import SourceRuleViolation

from . import services
from .models import Licence, LicenceType


class LicenceActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class LicenceForm(SourceGuardedForm):
    """On issue the identifier may be left empty: it is built from type and issuer code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "identifier" in self.fields:
            self.fields["identifier"].required = False
            self.fields["identifier"].help_text = _(
                "Leave empty to build it from type, issuer code and number."
            )

    def clean(self):
        cleaned = super().clean()
        licence_type = cleaned.get("licence_type")
        if (
            not self.instance.pk
            and not cleaned.get("identifier")
            and licence_type
            and cleaned.get("issuer_code")
        ):
            cleaned["identifier"] = services.new_identifier(licence_type, cleaned["issuer_code"])
            self.instance.identifier = cleaned["identifier"]
        return cleaned


def _state_action(action, label):
    def run(modeladmin, request, queryset):
        department = steward_department_code(request.user)
        reason = request.POST.get("reason", "")
        done = 0
        for licence in queryset:
            try:
                services.transition(licence, action, department, reason=reason, user=request.user)
                done += 1
            except ValidationError as exc:
                modeladmin.message_user(
                    request, f"{licence.identifier}: {'; '.join(exc.messages)}", messages.ERROR
                )
            except SourceRuleViolation as exc:
                modeladmin.message_user(request, f"{licence.identifier}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request, gettext("%(n)d licence(s) updated.") % {"n": done}, messages.SUCCESS
            )

    run.__name__ = action
    run.short_description = label
    run.allowed_permissions = ("change",)
    return run


@admin.register(Licence)
class LicenceAdmin(BaseRecordAdmin):
    """Stewards of a type's issuing department issue, correct, suspend, revoke and restore its licences."""

    form = LicenceForm
    action_form = LicenceActionForm
    actions = [
        _state_action("suspend", _("Suspend (give a reason)")),
        _state_action("revoke", _("Revoke (give a reason)")),
        _state_action("restore", _("Restore (give a reason)")),
    ]
    list_display = ["identifier", "licence_type", "holder_name", "number", "issue_date", "valid_to", "status"]
    list_filter = ["licence_type", "status", "holder_kind"]
    search_fields = ["=identifier", "=holder_key", "=number", "holder_name"]
    show_full_result_count = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "licence_type":
            # A steward issues only the types their department is the one source of.
            department = steward_department_code(request.user)
            partitions = Licence.catalogue_spec().partitions
            own = LicenceType.objects.filter(
                code__in=[code for code, source in partitions.items() if source == department]
            )
            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[("", "---------")] + [(t.code, f"{t.name} ({t.code})") for t in own],
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # The state changes only through the actions, which require a reason.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [
            f for f in ("status", "status_reason", "signature", "signing_key_id") if f not in readonly
        ]


@admin.register(LicenceType)
class LicenceTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "issuing_department", "holder_kind", "validity_policy", "term_years"]
    list_filter = ["holder_kind", "validity_policy"]
    search_fields = ["code", "name", "slug"]
