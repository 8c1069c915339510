"""The JSON/CSV/Parquet API under ``/api/v1``, one endpoint per query of :mod:`migdev.query`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
