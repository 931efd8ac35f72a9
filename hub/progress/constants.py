"""Defaults of the progress metrics; operators override them in settings."""

# How a department's assessment score (0–100) is made, after the assessments
# Guangdong and Zhejiang run on their departments: a weighted mean of the
# component rates (each 0–1; a component with no data is left out and the
# other weights rescaled), minus points per missed deadline and per overdue
# quality issue. Override with ``HUB_PROGRESS_ASSESSMENT`` in settings.
DEFAULT_ASSESSMENT = {
    "weights": {
        "delivery": 30,  # plan items delivered ÷ planned
        "mount_rate": 20,  # catalogue items with data ÷ catalogue items
        "records": 10,  # records ÷ target (capped at 1)
        "timeliness": 15,  # items updated within their cycle ÷ items with data
        "quality": 15,  # quality score ÷ 100
        "sharing": 10,  # consuming systems ÷ sharing_systems_target (capped at 1)
    },
    "sharing_systems_target": 5,
    "penalties": {"deadline_missed": 2.0, "overdue_issue": 0.5},
}

# How many weeks the trend lines show.
TREND_WEEKS = 12
# The period the sharing figures cover when none is asked for (days up to today).
DEFAULT_PERIOD_DAYS = 30
