"""The WSGI application gunicorn's workers load (deploy/gunicorn.conf.py; the load benchmarks serve it too)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casereviews.settings")
application = get_wsgi_application()

# Python's cycle collector runs after every 700 new objects, and its full collections walk every object the
# process holds: Django's models, URL patterns, forms and templates, loaded once and never garbage. On the staff
# pages that was about a tenth of the server's CPU (benchmarks/profile_staff_pages.py, docs/benchmarks.md).
# Freezing what start-up loaded takes it out of every later collection, and a larger first threshold makes
# collections rarer; a request's own cycles are still collected, and workers are replaced after
# GUNICORN_MAX_REQUESTS requests in any case.
GC_THRESHOLDS = (20_000, 50, 100)
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
