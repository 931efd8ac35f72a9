"""The admin's ingest batches and the stewards' import page (upload, preview the report, confirm)."""

import re
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from hub.catalogue import spec as catalogue

from .admin import steward_department_code
from .ingest import IngestInputError, ingest
from .ingest.parsing import detect_format
from .models import IngestBatch
from .sources import SourceRuleViolation

UPLOAD_DIR = Path(settings.BASE_DIR) / "var" / "ingest-uploads"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def datasets_sourced_by(department):
    """Datasets where ``department`` is the source of at least one item (or of a partition)."""
    found = []
    for dataset in catalogue.all_datasets():
        if department in dataset.partitions.values() or any(i.source == department for i in dataset.items):
            found.append(dataset)
    return sorted(found, key=lambda d: d.code)


class ImportForm(forms.Form):
    dataset = forms.ChoiceField(label=_("dataset"))
    file = forms.FileField(label=_("file (CSV or XLSX)"))
    all_or_nothing = forms.BooleanField(
        label=_("refuse the whole file if any row is invalid"), required=False
    )

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [
            (d.code, f"{d.name} ({d.code})") for d in datasets_sourced_by(department)
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fmt = detect_format(filename=upload.name)
        if fmt not in ("csv", "xlsx"):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    """Batches are read-only records of what was loaded; stewards see their department's."""

    list_display = ["created_at", "dataset", "department", "system", "user", "channel", "status", "counts"]
    list_filter = ["status", "channel", "dataset"]
    readonly_fields = [f.name for f in IngestBatch._meta.fields]
    change_list_template = "admin/records/ingestbatch/change_list.html"

    @admin.display(description=_("created / updated / unchanged / rejected"))
    def counts(self, batch):
        report = batch.report or {}
        if batch.status != "completed":
            return report.get("code", "")
        return "{} / {} / {} / {}".format(
            report.get("created", 0),
            report.get("updated", 0),
            report.get("unchanged", 0),
            report.get("rejected_count", 0),
        )

    def _department(self, request):
        return steward_department_code(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("department", "system", "user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(department__code=self._department(request))

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and (request.user.is_superuser or self._department(request) is not None)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="records_ingestbatch_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload → preview (a dry run: the full report, nothing written) → confirm."""
        department = self._department(request)
        if department is None:
            raise PermissionDenied(_("Only a department's stewards import base records."))
        uploads = request.session.setdefault("ingest_uploads", {})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import records"),
            "opts": self.model._meta,
        }
        if request.method == "POST" and request.POST.get("token"):
            token = request.POST["token"]
            pending = uploads.get(token) if TOKEN.match(token) else None
            if pending is None:
                messages.error(request, _("That upload has expired; upload the file again."))
                return redirect("admin:records_ingestbatch_import")
            outcome, error = self._run(request, department, pending, dry_run=False)
            if error is None:
                self._forget(request, token)
                messages.success(
                    request,
                    _(
                        "Loaded: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                        "%(rejected)d rejected."
                    )
                    % {**outcome.report, "rejected": outcome.report["rejected_count"]},
                )
                return redirect(reverse("admin:records_ingestbatch_change", args=[outcome.batch.pk]))
            context.update(form=ImportForm(department=department), error=error)
            return TemplateResponse(request, "admin/records/ingestbatch/import.html", context)
        form = ImportForm(request.POST or None, request.FILES or None, department=department)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            token = uuid.uuid4().hex
            UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            target = UPLOAD_DIR / f"{token}.{detect_format(filename=upload.name)}"
            with open(target, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            pending = {
                "path": str(target),
                "name": upload.name[:200],
                "dataset": form.cleaned_data["dataset"],
                "all_or_nothing": form.cleaned_data["all_or_nothing"],
            }
            outcome, error = self._run(request, department, pending, dry_run=True)
            if error is None:
                uploads[token] = pending
                request.session.modified = True
                context.update(preview=outcome.report, token=token, pending=pending, form=form)
            else:
                target.unlink(missing_ok=True)
                context.update(form=form, error=error)
            return TemplateResponse(request, "admin/records/ingestbatch/import.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/records/ingestbatch/import.html", context)

    def _run(self, request, department, pending, *, dry_run):
        try:
            with open(pending["path"], "rb") as data:
                outcome = ingest(
                    pending["dataset"],
                    data,
                    fmt=detect_format(filename=pending["path"]),
                    department=department,
                    user=request.user,
                    channel="admin",
                    all_or_nothing=pending["all_or_nothing"],
                    reason=str(_("Imported in the admin")),
                    dry_run=dry_run,
                )
        except SourceRuleViolation as exc:
            return None, exc.message
        except IngestInputError as exc:
            return None, exc.detail
        except FileNotFoundError:
            return None, str(_("That upload has expired; upload the file again."))
        return outcome, None

    def _forget(self, request, token):
        pending = request.session.get("ingest_uploads", {}).pop(token, None)
        request.session.modified = True
        if pending:
            Path(pending["path"]).unlink(missing_ok=True)
