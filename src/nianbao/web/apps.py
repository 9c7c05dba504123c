from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "nianbao.web"
    label = "web"
    verbose_name = "nianbao 网上填报"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from nianbao.web import permissions  # noqa: F401  (registers the rules)
