"""复工申请与“十到位”."""

from django.db import models  # noqa: F401
