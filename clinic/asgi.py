import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_asgi_application()

# Startup's objects out of the garbage collector's reach (clinic.core.startup).
from clinic.core.startup import settle  # noqa: E402 - after Django is set up

settle()
