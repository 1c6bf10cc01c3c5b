"""clinic.core.startup: a web process puts what loading made out of the collector's reach."""

import os
import subprocess
import sys

from django.conf import settings

_SCRIPT = """
import gc
import sys
import {module}
assert "consultations.calendar_views" in sys.modules, "views not loaded at startup"
young = sum(gc.get_count())
print(gc.get_freeze_count(), young)
"""


def _started(module: str) -> tuple[int, int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "true",
        "SECRET_KEY": "x" * 50,
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", _SCRIPT.format(module=module)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, young = map(int, result.stdout.split())
    return frozen, young


def test_the_wsgi_and_asgi_applications_freeze_what_loading_made():
    for module in ("clinic.wsgi", "clinic.asgi"):
        frozen, young = _started(module)
        # Tens of thousands of module, class and URL objects, and nothing left young.
        assert frozen > 20_000, module
        assert young < 1_000, module
