"""Social credit library (社会信用库)."""
