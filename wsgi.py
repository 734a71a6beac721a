"""WSGI entry point for production servers: `gunicorn wsgi:app`."""
from luislite import create_app

app = create_app()
