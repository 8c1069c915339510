"""The dashboard pages (Jinja2 templates), on the same query path as the API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
