"""防疫物资."""

from django.db import models  # noqa: F401
