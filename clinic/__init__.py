"""The project package.

Its Celery app lives in clinic.celery and is loaded when Django starts (CoreConfig.ready)
or by `celery -A clinic`, not on import: pure modules under clinic/ (clinic.core.formats)
are imported by other pure modules, which must not pull in Celery, kombu and Django.
"""

__all__ = ("celery_app",)


def __getattr__(name):
    if name == "celery_app":
        from .celery import app

        return app
    raise AttributeError(f"module 'clinic' has no attribute {name!r}")
