import os

from fugong.core.handlers import application as build

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = build()  # the QR page's paths to a lean handler, the rest to Django's own (fugong/core/handlers.py)
