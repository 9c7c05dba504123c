"""The WSGI application gunicorn serves (``nianbao serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nianbao.web.settings")
application = get_wsgi_application()
