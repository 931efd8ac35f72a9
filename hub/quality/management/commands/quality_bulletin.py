from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hub.catalogue.models import Department
from hub.quality.bulletins import department_bulletin, province_bulletin
from hub.quality.exports import render


class Command(BaseCommand):
    help = "Write the quality bulletin (province, or one department's) as XLSX or CSV, e.g. from cron."

    def add_arguments(self, parser):
        parser.add_argument("--department", help="department code; the province bulletin when omitted")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output-dir", default=".", help="directory to write the file into")

    def handle(self, department=None, format="xlsx", output_dir=".", **options):
        if department:
            dept = Department.objects.filter(code=department).first()
            if dept is None:
                raise CommandError(_("Unknown department %(department)s.") % {"department": department})
            _context, sheets, filename = department_bulletin(dept)
        else:
            _context, sheets, filename = province_bulletin()
        path = Path(output_dir) / f"{filename}.{format}"
        path.write_bytes(render(sheets, format))
        self.stdout.write(self.style.SUCCESS(_("Bulletin written to %(path)s") % {"path": path}))
