"""Data quality closed loop."""
