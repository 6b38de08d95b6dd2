"""WSGI entry point for production servers, e.g. `waitress-serve --port 5000 wsgi:app`."""
from market import create_app

app = create_app()
