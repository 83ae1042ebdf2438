"""排查与健康监测."""

from django.db import models  # noqa: F401
