"""Governed access: consumer systems, API keys, requests, grants and the audit log."""
