"""The collection portal (网上填报): schools submit their figures, counties review, the city
approves and builds the report, a province reads. A Django project on the use cases of
``nianbao.app``; started by ``nianbao serve`` under gunicorn."""
